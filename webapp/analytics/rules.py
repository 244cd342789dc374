"""Anomalies and saving recommendations (SPEC §3.5–3.6): month-over-month rules on the rollup."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..formatting import money
from ..models import CATEGORIES, SERVICES, CostEntry, Server, ServerMetric
from ..validation import check_month, check_year
from . import totals
from .periods import change_percent, check_threshold, percent, period_label, previous_month, share_of

DEFAULT_THRESHOLD = 30
CRITICAL_AT = Decimal("50")
LICENSE_SHARE_ABOVE = Decimal("30")
MAINTENANCE_SHARE_ABOVE = Decimal("25")
SPIKE_ABOVE = Decimal("50")
IDLE_CPU_BELOW = Decimal("10")
ZERO = Decimal("0.00")
# Each rule's saving as a percentage of the cost it looks at (SPEC §3.6); the API shows it as potential_saving_pct.
# An idle server's whole monthly cost is its saving (100 %); NORMAL saves nothing.
SAVING_PCT = {
    "LICENSE_REVIEW": Decimal("10"),
    "MAINTENANCE_REVIEW": Decimal("5"),
    "COST_SPIKE": Decimal("15"),
    "IDLE_SERVER": Decimal("100"),
    "NORMAL": Decimal("0"),
}


def _saving(rule: str, base: Decimal) -> Decimal:
    """The money a rule may save: its percentage of the cost it looks at."""
    return share_of(base, SAVING_PCT[rule] / 100)


def service_moves(tenant_id: int, year: int, month: int) -> list[tuple[str, Decimal, Decimal]]:
    """(service, this month's amount, the previous month's) for every service, in the product's order."""
    curr = totals.month_by(tenant_id, year, month, "service")
    prev = totals.month_by(tenant_id, *previous_month(year, month), "service")
    return [(service, curr.get(service, (ZERO, 0))[0], prev.get(service, (ZERO, 0))[0]) for service in SERVICES]


def _contributors(curr: dict, prev: dict, service: str) -> list[dict]:
    """Categories of one service whose amount changed, largest change first, with amounts."""
    rows = []
    for category in CATEGORIES:
        now, before = curr.get((service, category), (ZERO, 0))[0], prev.get((service, category), (ZERO, 0))[0]
        if now != before:
            rows.append(
                {
                    "category": category,
                    "label": CATEGORIES[category],
                    "curr_amount": now,
                    "prev_amount": before,
                    "change_amount": now - before,
                }
            )
    return sorted(rows, key=lambda row: -abs(row["change_amount"]))


def anomalies(tenant_id: int, year: int, month: int, threshold=DEFAULT_THRESHOLD) -> dict:
    """Services whose cost moved by at least `threshold` % on the previous month, or appeared from zero (NEW).

    Severity is CRITICAL at |change| ≥ 50 %, else WARNING; a NEW service has no change % and comes first.
    Each anomaly lists the categories that drove the change.
    """
    year, month = check_year(year), check_month(month)
    threshold = check_threshold(threshold)
    prev_year, prev_month = previous_month(year, month)
    curr = totals.month_cells(tenant_id, year, month)
    prev = totals.month_cells(tenant_id, prev_year, prev_month)
    found = []
    for service, now, before in service_moves(tenant_id, year, month):
        if before == 0:
            if now > 0:
                found.append(
                    {
                        "service": service,
                        "curr_amount": now,
                        "prev_amount": before,
                        "change_amount": now,
                        "change_pct": None,
                        "direction": "NEW",
                        "severity": "WARNING",
                        "contributors": _contributors(curr, prev, service),
                    }
                )
            continue
        change = change_percent(now, before)
        if abs(change) >= threshold:
            found.append(
                {
                    "service": service,
                    "curr_amount": now,
                    "prev_amount": before,
                    "change_amount": now - before,
                    "change_pct": change,
                    "direction": "UP" if change > 0 else "DOWN",
                    "severity": "CRITICAL" if abs(change) >= CRITICAL_AT else "WARNING",
                    "contributors": _contributors(curr, prev, service),
                }
            )
    found.sort(key=lambda a: (a["change_pct"] is not None, -abs(a["change_pct"] or 0), -a["curr_amount"]))
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "prev_period": period_label(prev_year, prev_month),
        "threshold_pct": threshold,
        "anomaly_count": len(found),
        "anomalies": found,
    }


def idle_servers(tenant_id: int, year: int, month: int) -> list[tuple[int, str, Decimal, Decimal]]:
    """(server id, name, cpu %, the month's cost) of servers under 10 % CPU that carry cost that month."""
    cost = func.sum(CostEntry.amount)
    rows = db.session.execute(
        select(Server.id, Server.name, ServerMetric.cpu_avg, cost)
        .join(ServerMetric, (ServerMetric.server_id == Server.id) & (ServerMetric.year == year) & (ServerMetric.month == month))
        .join(
            CostEntry,
            (CostEntry.server_id == Server.id)
            & (CostEntry.tenant_id == tenant_id)
            & (CostEntry.year == year)
            & (CostEntry.month == month),
        )
        .where(Server.tenant_id == tenant_id, ServerMetric.tenant_id == tenant_id, ServerMetric.cpu_avg < IDLE_CPU_BELOW)
        .group_by(Server.id, Server.name, ServerMetric.cpu_avg)
        .having(cost > 0)
        .order_by(cost.desc(), Server.name)
    ).all()
    return [(server_id, name, Decimal(cpu), Decimal(amount)) for server_id, name, cpu, amount in rows]


def recommendations(tenant_id: int, year: int, month: int) -> dict:
    """Saving recommendations with money savings; one NORMAL item when no rule fires."""
    year, month = check_year(year), check_month(month)
    total, _count = totals.month_total(tenant_id, year, month)
    categories = totals.month_by(tenant_id, year, month, "category")
    found = []
    licence = categories.get("LICENSE", (ZERO, 0))[0]
    licence_share = percent(licence, total)
    if licence_share > LICENSE_SHARE_ABOVE:
        found.append(
            {
                "type": "LICENSE_REVIEW",
                "severity": "HIGH",
                "category": "LICENSE",
                "share_pct": licence_share,
                "potential_saving_pct": SAVING_PCT["LICENSE_REVIEW"],
                "estimated_saving": _saving("LICENSE_REVIEW", licence),
                "message": _(
                    "Software licences are %(share)s%% of this month's cost (%(amount)s). Review unused "
                    "licences and renewal terms; about 10%% could be saved.",
                    share=licence_share,
                    amount=money(licence),
                ),
            }
        )
    maintenance = categories.get("MAINTENANCE", (ZERO, 0))[0]
    maintenance_share = percent(maintenance, total)
    if maintenance_share > MAINTENANCE_SHARE_ABOVE:
        found.append(
            {
                "type": "MAINTENANCE_REVIEW",
                "severity": "MEDIUM",
                "category": "MAINTENANCE",
                "share_pct": maintenance_share,
                "potential_saving_pct": SAVING_PCT["MAINTENANCE_REVIEW"],
                "estimated_saving": _saving("MAINTENANCE_REVIEW", maintenance),
                "message": _(
                    "Maintenance is %(share)s%% of this month's cost (%(amount)s). Re-negotiate or merge "
                    "maintenance contracts; about 5%% could be saved.",
                    share=maintenance_share,
                    amount=money(maintenance),
                ),
            }
        )
    found.extend(_spikes(tenant_id, year, month))
    for server_id, name, cpu, amount in idle_servers(tenant_id, year, month):
        found.append(
            {
                "type": "IDLE_SERVER",
                "severity": "MEDIUM",
                "server_id": server_id,
                "server": name,
                "cpu_avg": cpu,
                "potential_saving_pct": SAVING_PCT["IDLE_SERVER"],
                "estimated_saving": _saving("IDLE_SERVER", amount),
                "message": _(
                    "Server %(name)s averaged %(cpu)s%% CPU but cost %(amount)s this month. Consolidate or retire it.",
                    name=name,
                    cpu=cpu,
                    amount=money(amount),
                ),
            }
        )
    if not found:
        found.append(
            {
                "type": "NORMAL",
                "severity": "INFO",
                "potential_saving_pct": SAVING_PCT["NORMAL"],
                "estimated_saving": ZERO,
                "message": _("No saving rule applies this month: costs look normal."),
            }
        )
    saving = sum((r["estimated_saving"] for r in found), ZERO)
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "total_amount": total,
        "recommendation_count": len(found),
        "recommendations": found,
        "total_potential_saving": saving,
        # a real percentage: the money saving over the month's total (0 when the month has no cost)
        "total_potential_saving_pct": percent(saving, total),
    }


def _spikes(tenant_id: int, year: int, month: int) -> list[dict]:
    """COST_SPIKE for every service up more than 50 % on the previous month (saving: 15 % of the increase).

    The rule compares the exact ratio, not the rounded percentage shown: +50.04 % is a spike, +50.00 % is not.
    """
    found = []
    for service, now, before in service_moves(tenant_id, year, month):
        if not is_spike(now, before):
            continue
        increase = now - before
        found.append(
            {
                "type": "COST_SPIKE",
                "severity": "HIGH",
                "service": service,
                "change_pct": change_percent(now, before),
                "increase_amount": increase,
                "potential_saving_pct": SAVING_PCT["COST_SPIKE"],
                "estimated_saving": _saving("COST_SPIKE", increase),
                "message": _(
                    "%(service)s cost rose %(change)s%% on last month (+%(amount)s). Check what "
                    "changed; about 15%% of the increase could be saved.",
                    service=service,
                    change=change_percent(now, before),
                    amount=money(increase),
                ),
            }
        )
    return found


def is_spike(now: Decimal, before: Decimal) -> bool:
    """True when the cost rose strictly more than 50 % on a non-zero previous month, by exact Decimal arithmetic.

    (now − before) / before > 50 / 100  ⇔  (now − before) × 100 > before × 50, with no division and no rounding.
    A service new this month (before = 0) is not a spike.
    """
    return before > 0 and (Decimal(now) - Decimal(before)) * 100 > Decimal(before) * SPIKE_ABOVE
