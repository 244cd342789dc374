"""Budgets over the year (SPEC §3.7): 12 months of budget vs actual per scope, year to date, and a year-end forecast.

The year is read in three queries whatever the number of scopes: the year's budgets, the year's
costs per month and service, and the costs of the run-rate months.

Forecast (run-rate): year-to-date actual + the average of the last 3 complete months × the months
left.  "Year to date" runs through the current month in the tenant's zone; the complete months are
the 3 calendar months before it (they may lie in the previous year); the months left are those after
the current month.  A past year's forecast is its actual; a future year has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_

from ..analytics.periods import add_months, current_month, period_label
from ..analytics.summary import budget_status
from ..extensions import db
from ..formatting import money
from ..models import BUDGET_SCOPE_ALL, SERVICES, Budget, Tenant
from ..models import CostMonthlyTotal as T
from ..validation import CENT, check_service, check_year

RUN_RATE_MONTHS = 3
ZERO = Decimal("0.00")


@dataclass
class YearFacts:
    """What one year's figures are computed from (shared by every scope)."""

    year: int
    today: tuple[int, int]  # the current month in the tenant's zone
    budgets: dict[tuple[str, int], Decimal]  # (scope, month) → budget
    actuals: dict[tuple[str, int], Decimal]  # (service, month) → cost
    run_rate_actuals: dict[str, Decimal]  # service → cost over the run-rate months
    run_rate_months: list[tuple[int, int]]
    currency: str

    @property
    def elapsed(self) -> int:
        """Months of the year up to and including the current one (12 for a past year, 0 for a future one)."""
        if self.year < self.today[0]:
            return 12
        if self.year > self.today[0]:
            return 0
        return self.today[1]


def year_facts(tenant_id: int, year: int, today: tuple[int, int] | None = None) -> YearFacts:
    """Read the year's budgets and costs and the run-rate months' costs (three queries)."""
    tenant = db.session.get(Tenant, tenant_id)
    today = today or current_month(tenant.timezone if tenant else None)
    budgets = {
        (scope, month): Decimal(amount)
        for scope, month, amount in db.session.execute(
            select(Budget.service, Budget.month, Budget.amount).where(Budget.tenant_id == tenant_id, Budget.year == year)
        )
    }
    actuals = {
        (service, month): Decimal(amount)
        for service, month, amount in db.session.execute(
            select(T.service, T.month, func.sum(T.amount))
            .where(T.tenant_id == tenant_id, T.year == year, T.item_count > 0)
            .group_by(T.service, T.month)
        )
    }
    window = [add_months(*today, offset) for offset in range(-RUN_RATE_MONTHS, 0)]
    run_rate = {
        service: Decimal(amount)
        for service, amount in db.session.execute(
            select(T.service, func.sum(T.amount))
            .where(
                T.tenant_id == tenant_id,
                T.item_count > 0,
                tuple_(T.year, T.month) >= tuple_(*window[0]),
                tuple_(T.year, T.month) <= tuple_(*window[-1]),
            )
            .group_by(T.service)
        )
    }
    return YearFacts(year, today, budgets, actuals, run_rate, window, (tenant.currency if tenant else None) or "KRW")


def _actual(facts: YearFacts, scope: str, month: int) -> Decimal:
    """A month's cost for one scope (ALL: every service)."""
    if scope == BUDGET_SCOPE_ALL:
        return sum((amount for (_service, m), amount in facts.actuals.items() if m == month), ZERO)
    return facts.actuals.get((scope, month), ZERO)


def _optional_sum(values: list[Decimal | None]) -> Decimal | None:
    """The sum of the values that are set, or None when none is."""
    present = [value for value in values if value is not None]
    return sum(present, ZERO) if present else None


def scope_year(facts: YearFacts, scope: str) -> dict:
    """The year of one scope: 12 months, year to date, annual budget and the year-end forecast."""
    months = []
    for month in range(1, 13):
        budget, actual = facts.budgets.get((scope, month)), _actual(facts, scope, month)
        usage, status = budget_status(actual, budget)
        months.append(
            {
                "month": month,
                "period": period_label(facts.year, month),
                "budget": budget,
                "actual": actual,
                "usage_pct": usage,
                "status": status,
            }
        )
    elapsed = facts.elapsed
    ytd_actual = sum((row["actual"] for row in months[:elapsed]), ZERO)
    ytd_budget = _optional_sum([row["budget"] for row in months[:elapsed]])
    annual_budget = _optional_sum([row["budget"] for row in months])
    forecast, run_rate, method = _forecast(facts, scope, ytd_actual)
    forecast_usage, forecast_status = budget_status(forecast, annual_budget) if forecast is not None else (None, "NO_BUDGET")
    ytd_usage, ytd_status = budget_status(ytd_actual, ytd_budget)
    return {
        "year": facts.year,
        "service": scope,
        "months": months,
        "ytd_months": elapsed,
        "ytd_budget": ytd_budget,
        "ytd_actual": ytd_actual,
        "ytd_usage_pct": ytd_usage,
        "ytd_status": ytd_status,
        "annual_budget": annual_budget,
        "forecast_year_end": forecast,
        "forecast_usage_pct": forecast_usage,
        "forecast_status": forecast_status,
        "forecast_run_rate": run_rate,
        "forecast_months_left": 12 - elapsed if elapsed else None,
        "forecast_method": method,
    }


def _forecast(facts: YearFacts, scope: str, ytd_actual: Decimal) -> tuple[Decimal | None, Decimal | None, str]:
    """(forecast, monthly run rate, the method in words) for one scope."""
    elapsed = facts.elapsed
    if facts.year < facts.today[0]:
        return ytd_actual, None, _("The year is over: the year-end figure is the actual cost.")
    if elapsed == 0:
        return None, None, _("The year has not started: no forecast yet.")
    if elapsed == 12:
        return (
            ytd_actual,
            None,
            _(
                "December is the last month: the forecast is the year-to-date actual (%(ytd)s).",
                ytd=money(ytd_actual, facts.currency),
            ),
        )
    if scope == BUDGET_SCOPE_ALL:
        window_total = sum(facts.run_rate_actuals.values(), ZERO)
    else:
        window_total = facts.run_rate_actuals.get(scope, ZERO)
    run_rate = (window_total / RUN_RATE_MONTHS).quantize(CENT, rounding=ROUND_HALF_UP)
    left = 12 - elapsed
    forecast = ytd_actual + run_rate * left
    first, last = facts.run_rate_months[0], facts.run_rate_months[-1]
    method = _(
        "Year-to-date actual (%(start)s – %(end)s: %(ytd)s) + average of the last 3 complete months "
        "(%(first)s – %(last)s: %(rate)s a month) × %(left)s months left.",
        start=period_label(facts.year, 1),
        end=period_label(facts.year, elapsed),
        ytd=money(ytd_actual, facts.currency),
        first=period_label(*first),
        last=period_label(*last),
        rate=money(run_rate, facts.currency),
        left=left,
    )
    return forecast, run_rate, method


def budget_scopes(facts: YearFacts) -> list[str]:
    """ALL, then every service that has a budget in the year (in the product's order)."""
    with_budget = {scope for scope, _month in facts.budgets}
    return [BUDGET_SCOPE_ALL] + [service for service in SERVICES if service in with_budget]


def budget_year(tenant_id: int, year, service: str | None = BUDGET_SCOPE_ALL, today: tuple[int, int] | None = None) -> dict:
    """GET /api/finops/budget/year: one scope's year (ALL by default)."""
    year = check_year(year)
    scope = check_service(service, allow_all=True)
    return scope_year(year_facts(tenant_id, year, today), scope)


def year_overview(tenant_id: int, year, today: tuple[int, int] | None = None) -> dict:
    """The year view: every scope with a budget (ALL always), each with its 12 months and forecast."""
    year = check_year(year)
    facts = year_facts(tenant_id, year, today)
    return {"year": year, "today": facts.today, "scopes": {scope: scope_year(facts, scope) for scope in budget_scopes(facts)}}
