"""용량 계획 보고서 (capacity_plan): server and storage cost and utilisation by month, with a linear forecast.

Sections: the figures in SQL (capacity_sections: monthly trend, forecast, per-server status), then the
template's collect and its workbook. Built on cost data, so ADMIN/PM only (SPEC §2).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ...auth.roles import FINOPS
from ...extensions import db
from ...models import CostEntry, Server, ServerMetric
from ..data import ReportData
from ..metrics import one_decimal
from ..periods import QUARTERLY
from ..template import ReportTemplate

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


FULL_AT = Decimal(80)  # the CPU or disk use whose month is forecast for each server
FULL_HORIZON = 36  # months ahead the forecast looks for it


def month_reaching(series: dict[int, Decimal], limit: Decimal, after: int, horizon: int = FULL_HORIZON) -> int | None:
    """The first month index (`after` or later) a least-squares line through {month index: %} reaches `limit`.

    The latest month itself when its value is already at the limit; None with fewer than two months, a line that
    does not rise, or no crossing within `horizon` months.
    """
    if not series:
        return None
    latest = max(series)
    if Decimal(series[latest]) >= limit:
        return latest
    if len(series) < 2:
        return None
    xs, ys = list(series), [float(v) for v in series.values()]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0
    if slope <= 0:
        return None
    for index in range(max(after, latest + 1), latest + horizon + 1):
        if mean_y + slope * (index - mean_x) >= float(limit) - 1e-9:
            return index
    return None


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
    history: dict[int, dict[str, dict[int, Decimal]]] = {}
    for server_id, index, cpu, disk in db.session.execute(
        select(ServerMetric.server_id, key, ServerMetric.cpu_avg, ServerMetric.disk_avg).where(
            ServerMetric.tenant_id == tenant_id, key.between(last - TREND_MONTHS + 1, last)
        )
    ):
        series = history.setdefault(server_id, {"cpu": {}, "disk": {}})
        if cpu is not None:
            series["cpu"][index] = Decimal(cpu)
        if disk is not None:
            series["disk"][index] = Decimal(disk)
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
        for resource in ("cpu", "disk"):
            reached = month_reaching(history.get(server.id, {}).get(resource, {}), FULL_AT, last + 1)
            row[f"{resource}_full"] = "{}-{:02d}".format(*month_of(reached)) if reached is not None else None
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


# --- the template ------------------------------------------------------------------------------


def collect(data: ReportData) -> None:
    """Server and storage cost and utilisation by month (12 months to the period end) with a 3-month forecast."""
    data.sections.update(capacity_sections(data.tenant.id, data.start, data.end))
    data.highlights = {
        "forecast_server_storage_cost": data.sections["forecast"][0]["cost"] if data.sections["forecast"] else None
    }


def build_workbook(data: ReportData) -> bytes:
    """Summary, monthly server/storage cost and utilisation with the forecast (charts), and each server's status."""
    from openpyxl.chart import LineChart

    from ..workbook import Book, Col, sr_summary_pairs

    book = Book(data)
    sections = data.sections
    months, forecast = sections["months"], sections["forecast"]
    in_period = [m for m in months if m["in_period"]]
    summary = book.sheet(_("Summary"), [36, 18])
    summary.title_block()
    next_quarter = sum((f["cost"] for f in forecast), Decimal(0))
    latest = next((m for m in reversed(months) if m["cpu"] is not None), None)
    summary.key_values(
        sr_summary_pairs(data.summary, data.resolved_created)
        + [
            (_("Server and storage cost in the period"), sum((m["cost"] for m in in_period), Decimal(0)), "money"),
            (_("Forecast cost of the next 3 months"), next_quarter, "money"),
            (_("Latest mean CPU use"), latest["cpu"] if latest else None, "percent"),
            (_("Latest mean memory use"), latest["memory"] if latest else None, "percent"),
            (_("Latest mean disk use"), latest["disk"] if latest else None, "percent"),
            (_("Servers to expand"), sum(1 for s in sections["servers"] if s["advice"] == "EXPAND"), "int"),
            (_("Idle servers"), sum(1 for s in sections["servers"] if s["advice"] == "IDLE"), "int"),
        ]
    )

    trend = book.sheet(_("Monthly trend"), [12, 16, 16, 16, 11, 11, 11, 10, 12])
    trend.title_block()
    rows = [
        (
            m["label"],
            m["server_cost"],
            m["storage_cost"],
            m["cost"],
            m["cpu"],
            m["memory"],
            m["disk"],
            m["servers"],
            _("In period") if m["in_period"] else "",
        )
        for m in months
    ]
    rows += [
        (f["label"], f["server_cost"], f["storage_cost"], f["cost"], f["cpu"], f["memory"], f["disk"], None, _("Forecast"))
        for f in forecast
    ]
    first, last = trend.table(
        [
            Col(_("Month")),
            Col(_("Server cost"), "money"),
            Col(_("Storage cost"), "money"),
            Col(_("Total"), "money"),
            Col(_("CPU %"), "decimal"),
            Col(_("Memory %"), "decimal"),
            Col(_("Disk %"), "decimal"),
            Col(_("Servers"), "int"),
            Col(_("Note")),
        ],
        rows,
    )
    trend.chart(LineChart(), _("Server and storage cost (with forecast)"), (first, last), (2, 4), "K2")
    trend.chart(LineChart(), _("Mean utilisation % (with forecast)"), (first, last), (5, 7), "K20", "%")

    servers = book.sheet(_("Servers"), [22, 12, 10, 10, 10, 10, 16, 16, 16, 16])
    servers.title_block()
    advice = {"EXPAND": _("Review expansion"), "IDLE": _("Review idle server"), "OK": _("Normal"), "NO_DATA": _("No metrics")}
    servers.table(
        [
            Col(_("Server")),
            Col(_("Service")),
            Col(_("Month")),
            Col(_("CPU %"), "decimal"),
            Col(_("Memory %"), "decimal"),
            Col(_("Disk %"), "decimal"),
            Col(_("Cost in the period"), "money"),
            Col(_("Advice")),
            Col(_("CPU reaches 80 % (forecast)")),
            Col(_("Disk reaches 80 % (forecast)")),
        ],
        [
            (
                s["name"],
                s["service"],
                s["month"],
                s["cpu"],
                s["memory"],
                s["disk"],
                s["cost"],
                advice[s["advice"]],
                s["cpu_full"] or "—",
                s["disk_full"] or "—",
            )
            for s in sections["servers"]
        ],
    )
    return book.save()


TEMPLATE = ReportTemplate(
    "capacity_plan",
    "용량 계획 보고서",
    _l("Capacity planning report"),
    QUARTERLY,
    ("excel",),
    roles=FINOPS,  # it shows server and storage cost figures: it is built on cost data too
    order=40,
    collect=collect,
    workbook=build_workbook,
)
