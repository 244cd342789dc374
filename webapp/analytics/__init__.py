"""Cost analytics: the figures behind the dashboard, the budgets page, the API and the monthly report.

Every function is tenant-scoped, runs a few SQL aggregates over the monthly rollup
(cost_monthly_totals), and returns a plain dict with Decimal money shaped like the SPEC §7 JSON,
so the API only serialises it.  Bad parameters raise InvalidParameter(field, message).

    monthly_summary(tenant_id, year, month)
    trend(tenant_id, months=6, service=None, end=None)      # end=(year, month); None → this month (tenant zone)
    allocation(tenant_id, year, month)
    anomalies(tenant_id, year, month, threshold=DEFAULT_THRESHOLD)   # 30 %, against the previous month
    baseline_anomalies(tenant_id, year, month, threshold=DEFAULT_THRESHOLD)  # against the 6-month median (baseline.py)
    recommendations(tenant_id, year, month)
    budget_vs_actual(tenant_id, year, month, service="ALL")
    budget_overview(tenant_id, year, month)                  # ALL + every service, for the budgets page

    month_from_args(request.args, tenant.timezone)           # the ?year=&month= of a page or API call, with errors

Percentages have one decimal (half up) and decisions (status, threshold) use that shown figure; the
COST_SPIKE rule alone compares the exact ratio, so +50.04 % is a spike although it shows as 50.0 %.
"""

from .baseline import baseline_anomalies
from .periods import InvalidParameter, add_months, current_month, month_from_args, month_span, period_label, previous_month
from .rules import DEFAULT_THRESHOLD, anomalies, recommendations
from .summary import allocation, budget_overview, budget_status, budget_vs_actual, monthly_summary, trend

__all__ = [
    "DEFAULT_THRESHOLD",
    "InvalidParameter",
    "add_months",
    "current_month",
    "month_from_args",
    "month_span",
    "period_label",
    "previous_month",
    "allocation",
    "anomalies",
    "baseline_anomalies",
    "budget_overview",
    "budget_status",
    "budget_vs_actual",
    "monthly_summary",
    "recommendations",
    "trend",
]
