"""Monthly summary, trend, allocation and budget vs actual (SPEC §3.2–3.4, §3.7)."""

from __future__ import annotations

from decimal import Decimal

from ..extensions import db
from ..models import BUDGET_SCOPE_ALL, CATEGORIES, SERVICES, Tenant
from ..validation import check_month, check_service, check_year
from . import totals
from .charges import month_breakdown
from .periods import (
    change_percent,
    check_trend_months,
    current_month,
    month_span,
    percent,
    period_label,
    previous_month,
)

WARNING_ABOVE = Decimal("90")
OVER_ABOVE = Decimal("110")
TREND_STEP = Decimal("5")


def budget_status(actual: Decimal, budget: Decimal | None) -> tuple[Decimal | None, str]:
    """(usage %, status) — OVER above 110 %, WARNING above 90 %, else OK; NO_BUDGET only when none is set.

    The status follows the usage % as shown (one decimal).  A zero budget with spending is OVER,
    a budget with no spending is OK.
    """
    if budget is None:
        return None, "NO_BUDGET"
    if budget == 0:
        return (Decimal("0.0"), "OK") if actual == 0 else (None, "OVER")
    usage = percent(actual, budget)
    if usage > OVER_ABOVE:
        return usage, "OVER"
    if usage > WARNING_ABOVE:
        return usage, "WARNING"
    return usage, "OK"


def _ranked(amounts: dict[str, tuple[Decimal, int]], order: tuple[str, ...]) -> list[str]:
    """Codes with costs, largest amount first; ties keep the product's code order."""
    return sorted(amounts, key=lambda code: (-amounts[code][0], order.index(code) if code in order else len(order), code))


def monthly_summary(tenant_id: int, year: int, month: int) -> dict:
    """Total, per category and per service (largest first), month-over-month change and the budget block.

    The total is net; what it is made of (charges, credits, adjustments, tax, refunds of imported
    bills) follows in `by_charge_category` and the `*_amount` fields after `item_count`.
    """
    year, month = check_year(year), check_month(month)
    total, item_count = totals.month_total(tenant_id, year, month)
    categories = totals.month_by(tenant_id, year, month, "category")
    services = totals.month_by(tenant_id, year, month, "service")
    prev_year, prev_month = previous_month(year, month)
    prev_total, _ = totals.month_total(tenant_id, prev_year, prev_month)
    budget = totals.budget_amount(tenant_id, year, month, BUDGET_SCOPE_ALL)
    usage, status = budget_status(total, budget)
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "total_amount": total,
        "by_category": {
            code: {
                "amount": categories[code][0],
                "label": CATEGORIES.get(code, code),
                "pct": percent(categories[code][0], total),
                "item_count": categories[code][1],
            }
            for code in _ranked(categories, tuple(CATEGORIES))
        },
        "by_service": {
            code: {"amount": services[code][0], "pct": percent(services[code][0], total), "item_count": services[code][1]}
            for code in _ranked(services, SERVICES)
        },
        "prev_period": period_label(prev_year, prev_month),
        "prev_total_amount": prev_total,
        "mom_change_pct": change_percent(total, prev_total),
        "budget": {
            "amount": budget,
            "usage_pct": usage,
            "status": status,
            "remaining": None if budget is None else max(budget - total, Decimal("0.00")),
        },
        "item_count": item_count,
        **month_breakdown(tenant_id, year, month, total).as_json(),
    }


def _tenant_month(tenant_id: int) -> tuple[int, int]:
    """The current month in the tenant's time zone."""
    tenant = db.session.get(Tenant, tenant_id)
    return current_month(tenant.timezone if tenant else None)


def trend(tenant_id: int, months: int = 6, service: str | None = None, end: tuple[int, int] | None = None) -> dict:
    """The last N calendar months ending with `end` (default: this month in the tenant's zone).

    Each month carries its total, item count and the budget of the same scope (None when not set);
    `service` is "ALL" when no service was asked for (SPEC §7).
    """
    months = check_trend_months(months)
    service = check_service(service)
    end = (check_year(end[0]), check_month(end[1])) if end else _tenant_month(tenant_id)
    span = month_span(end, months)
    found = totals.months_range(tenant_id, span[0], span[-1], service)
    budgets = totals.budgets_range(tenant_id, span[0], span[-1], service or BUDGET_SCOPE_ALL)
    data = [
        {
            "year": y,
            "month": m,
            "period": period_label(y, m),
            "total_amount": found.get((y, m), (Decimal("0.00"), 0))[0],
            "item_count": found.get((y, m), (0, 0))[1],
            "budget_amount": budgets.get((y, m)),
        }
        for y, m in span
    ]
    first, last = data[0]["total_amount"], data[-1]["total_amount"]
    trend_pct = change_percent(last, first)
    direction = "UP" if trend_pct > TREND_STEP else "DOWN" if trend_pct < -TREND_STEP else "STABLE"
    return {
        "months": months,
        "service": service or BUDGET_SCOPE_ALL,
        "start_period": data[0]["period"],
        "end_period": data[-1]["period"],
        "data": data,
        "trend_pct": trend_pct,
        "trend_dir": direction,
    }


def allocation(tenant_id: int, year: int, month: int) -> dict:
    """Every service (zero rows included): amount, % of the month, item count, amount per category."""
    year, month = check_year(year), check_month(month)
    cells = totals.month_cells(tenant_id, year, month)
    services = totals.month_by(tenant_id, year, month, "service")
    total = sum((amount for amount, _ in services.values()), Decimal("0.00"))
    zero = Decimal("0.00")
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "total": total,
        "allocation": {
            service: {
                "amount": services.get(service, (zero, 0))[0],
                "pct": percent(services.get(service, (zero, 0))[0], total),
                "item_count": services.get(service, (zero, 0))[1],
                "by_category": {category: cells.get((service, category), (zero, 0))[0] for category in CATEGORIES},
            }
            for service in SERVICES
        },
    }


def budget_vs_actual(tenant_id: int, year: int, month: int, service: str = BUDGET_SCOPE_ALL) -> dict:
    """Budget, actual (only that service's costs for a service budget), variance, usage %, status, remaining."""
    year, month = check_year(year), check_month(month)
    service = check_service(service, allow_all=True)
    actual, item_count = totals.month_total(tenant_id, year, month, None if service == BUDGET_SCOPE_ALL else service)
    budget = totals.budget_amount(tenant_id, year, month, service)
    return _budget_row(year, month, service, budget, actual, item_count)


def _budget_row(year: int, month: int, service: str, budget: Decimal | None, actual: Decimal, item_count: int) -> dict:
    """One budget-vs-actual block; variance = actual − budget (positive means overspent)."""
    usage, status = budget_status(actual, budget)
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "service": service,
        "budget": budget,
        "actual": actual,
        "variance": None if budget is None else actual - budget,
        "usage_pct": usage,
        "status": status,
        "remaining": None if budget is None else max(budget - actual, Decimal("0.00")),
        "item_count": item_count,
    }


def budget_overview(tenant_id: int, year: int, month: int) -> dict:
    """Budget vs actual for the whole tenant (ALL) and for every service, for one month (two queries)."""
    year, month = check_year(year), check_month(month)
    budgets = totals.budgets_of_month(tenant_id, year, month)
    services = totals.month_by(tenant_id, year, month, "service")
    total = sum((amount for amount, _ in services.values()), Decimal("0.00"))
    count = sum(c for _, c in services.values())
    rows = [_budget_row(year, month, BUDGET_SCOPE_ALL, budgets.get(BUDGET_SCOPE_ALL), total, count)]
    for service in SERVICES:
        amount, items = services.get(service, (Decimal("0.00"), 0))
        rows.append(_budget_row(year, month, service, budgets.get(service), amount, items))
    service_budgets = [budgets[s] for s in SERVICES if s in budgets]
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "rows": rows,
        "service_budget_total": sum(service_budgets, Decimal("0.00")) if service_budgets else None,
    }


__all__ = ["allocation", "budget_overview", "budget_status", "budget_vs_actual", "monthly_summary", "trend"]
