"""Capacity planning figures: server and storage cost and utilisation by month, with a linear forecast."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import CostEntry, Server, ServerMetric
from .metrics import one_decimal

CAPACITY_CATEGORIES = ("SERVER", "STORAGE")
TREND_MONTHS = 12
FORECAST_MONTHS = 3
EXPAND_AT = {"cpu": Decimal(80), "memory": Decimal(85), "disk": Decimal(80)}
IDLE_BELOW = Decimal(10)


def month_index(year: int, month: int) -> int:
    """A month as one integer (year × 12 + month − 1) so months can be compared and stepped."""
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    """The (year, month) of a month index."""
    return index // 12, index % 12 + 1


def linear_forecast(values: list[Decimal | None], ahead: int) -> list[Decimal]:
    """Least-squares line through the known values, extended `ahead` steps (never below zero)."""
    points = [(x, float(v)) for x, v in enumerate(values) if v is not None]
    if not points:
        return [Decimal(0)] * ahead
    if len(points) == 1:
        return [Decimal(str(points[0][1])).quantize(Decimal("0.01"))] * ahead
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    start = len(values)
    return [Decimal(str(max(0.0, mean_y + slope * (start + k - mean_x)))).quantize(Decimal("0.01")) for k in range(ahead)]


def capacity_sections(tenant_id: int, start: date, end: date) -> dict:
    """Monthly trend, forecast and per-server status for the 12 months ending with the period's last month."""
    last = month_index(end.year, end.month)
    first = last - TREND_MONTHS + 1
    first_in_period = month_index(start.year, start.month)
    period_key = CostEntry.year * 12 + CostEntry.month - 1
    costs = db.session.execute(
        select(CostEntry.year, CostEntry.month, CostEntry.category, func.sum(CostEntry.amount))
        .where(CostEntry.tenant_id == tenant_id, CostEntry.category.in_(CAPACITY_CATEGORIES), period_key.between(first, last))
        .group_by(CostEntry.year, CostEntry.month, CostEntry.category)
    ).all()
    cost = {(month_index(y, m), c): Decimal(a or 0) for y, m, c, a in costs}
    metric_key = ServerMetric.year * 12 + ServerMetric.month - 1
    usage = {
        month_index(y, m): (cpu, mem, disk, n)
        for y, m, cpu, mem, disk, n in db.session.execute(
            select(
                ServerMetric.year,
                ServerMetric.month,
                func.avg(ServerMetric.cpu_avg),
                func.avg(ServerMetric.memory_avg),
                func.avg(ServerMetric.disk_avg),
                func.count(func.distinct(ServerMetric.server_id)),
            )
            .where(ServerMetric.tenant_id == tenant_id, metric_key.between(first, last))
            .group_by(ServerMetric.year, ServerMetric.month)
        )
    }
    months = []
    for index in range(first, last + 1):
        year, month = month_of(index)
        cpu, mem, disk, servers = usage.get(index, (None, None, None, 0))
        server_cost, storage_cost = cost.get((index, "SERVER"), Decimal(0)), cost.get((index, "STORAGE"), Decimal(0))
        months.append(
            {
                "year": year,
                "month": month,
                "label": f"{year}-{month:02d}",
                "in_period": index >= first_in_period,
                "server_cost": server_cost,
                "storage_cost": storage_cost,
                "cost": server_cost + storage_cost,
                "cpu": _pct(cpu),
                "memory": _pct(mem),
                "disk": _pct(disk),
                "servers": servers,
            }
        )
    return {
        "months": months,
        "forecast": _forecast(months, last),
        "servers": server_status(tenant_id, first_in_period, last),
        "thresholds": {"expand": EXPAND_AT, "idle": IDLE_BELOW},
    }


def _pct(value) -> Decimal | None:
    """A utilisation average with one decimal."""
    return None if value is None else one_decimal(value)


def _forecast(months: list[dict], last: int) -> list[dict]:
    """The next FORECAST_MONTHS months, fitted on the months from the first one that has data."""
    first_data = next((i for i, m in enumerate(months) if m["cost"] or m["cpu"] is not None), len(months))
    seen = months[first_data:]
    rows = []
    for step in range(FORECAST_MONTHS):
        year, month = month_of(last + 1 + step)
        rows.append({"year": year, "month": month, "label": f"{year}-{month:02d}"})
    for key in ("server_cost", "storage_cost"):
        for row, value in zip(rows, linear_forecast([m[key] for m in seen], FORECAST_MONTHS), strict=False):
            row[key] = value
    for key in ("cpu", "memory", "disk"):
        known = any(m[key] is not None for m in seen)
        values = linear_forecast([m[key] for m in seen], FORECAST_MONTHS)
        for row, value in zip(rows, values, strict=False):
            row[key] = min(one_decimal(value), Decimal(100)) if known else None
    for row in rows:
        row["cost"] = row["server_cost"] + row["storage_cost"]
    return rows


def server_status(tenant_id: int, first: int, last: int) -> list[dict]:
    """Each server's latest utilisation up to the period's last month, its cost in the period and an advice flag."""
    key = ServerMetric.year * 12 + ServerMetric.month - 1
    latest = (
        select(ServerMetric.server_id, func.max(key).label("latest"))
        .where(ServerMetric.tenant_id == tenant_id, key <= last)
        .group_by(ServerMetric.server_id)
        .subquery()
    )
    metrics_rows = {
        m.server_id: m
        for m in db.session.scalars(
            select(ServerMetric).join(latest, and_(ServerMetric.server_id == latest.c.server_id, key == latest.c.latest))
        )
    }
    cost_key = CostEntry.year * 12 + CostEntry.month - 1
    costs = dict(
        db.session.execute(
            select(CostEntry.server_id, func.sum(CostEntry.amount))
            .where(CostEntry.tenant_id == tenant_id, CostEntry.server_id.is_not(None), cost_key.between(first, last))
            .group_by(CostEntry.server_id)
        ).all()
    )
    rows = []
    for server in db.session.scalars(select(Server).where(Server.tenant_id == tenant_id).order_by(Server.name)):
        metric = metrics_rows.get(server.id)
        row = {
            "name": server.name,
            "service": server.service,
            "cost": Decimal(costs.get(server.id) or 0),
            "month": f"{metric.year}-{metric.month:02d}" if metric else None,
            "cpu": metric.cpu_avg if metric else None,
            "memory": metric.memory_avg if metric else None,
            "disk": metric.disk_avg if metric else None,
        }
        row["advice"] = _advice(row)
        rows.append(row)
    return rows


def _advice(row: dict) -> str:
    """EXPAND when a resource is near its limit, IDLE when the CPU is almost unused, NO_DATA without metrics, else OK."""
    if row["cpu"] is None and row["disk"] is None and row["memory"] is None:
        return "NO_DATA"
    if any(row[k] is not None and Decimal(row[k]) >= limit for k, limit in EXPAND_AT.items()):
        return "EXPAND"
    if row["cpu"] is not None and Decimal(row["cpu"]) < IDLE_BELOW:
        return "IDLE"
    return "OK"
