"""The FinOps JSON API (SPEC §7): costs, summary, trend, allocation, anomalies, recommendations, budgets.

Thin: parse the query or body, call the same domain functions as the pages, serialise.
Money is a JSON number (exact: integers stay integers, cents keep their two places), key order is
kept (breakdowns are largest first), bad input answers {"detail": "...", "errors": {field: message}}
with 400 (query parameters, malformed JSON) or 422 (a body that fails validation).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import analytics
from ..advice import optimize as month_advice
from ..analytics.periods import current_month, month_from_args
from ..auth.roles import ADMIN, FINOPS, role_required, tenant_get_or_404
from ..budgets.alerts import alert_json, year_alerts
from ..budgets.service import clean_budget, set_budget
from ..budgets.year import budget_year as year_of_budget
from ..costs.queries import CostFilter, cost_page
from ..costs.service import EDITABLE, create_cost, delete_cost, update_cost
from ..costs.validation import clean_cost
from ..json_api import json_object, refused
from ..models import CATEGORIES, CostEntry
from ..pagination import API_PER_PAGE, API_PER_PAGE_MAX, api_window, page_number
from ..validation import InvalidParameter, check_month, check_year
from . import bp

MAX_PER_PAGE = API_PER_PAGE_MAX
DEFAULT_COST_SERVICE = "INFRA"


def finops_only_message() -> str:
    """Why STAFF is refused cost data."""
    return _("Your role cannot use cost data (ADMIN or PM only).")


def finops_api(view):
    """ADMIN and PM only, with a clear 403 for anyone else."""
    return role_required(*FINOPS, message=finops_only_message)(view)


def period_args() -> tuple[int, int]:
    """?year=&month=, each defaulting to the current month in the tenant's zone; bad ones are a 400 naming each field."""
    year, month, errors = month_from_args(request.args, current_user.tenant.timezone)
    if errors:
        refused(errors, 400)
    return year, month


def cost_json(entry: CostEntry) -> dict:
    """One cost as the API shows it (`cost_id` is the seed routers' name for the COST-YYYYMMDD-XXXXXX code)."""
    return {
        "id": entry.id,
        "code": entry.code,
        "cost_id": entry.code,
        "year": entry.year,
        "month": entry.month,
        "category": entry.category,
        "category_label": CATEGORIES.get(entry.category, entry.category),
        "service": entry.service,
        "amount": entry.amount,
        "description": entry.description,
        "department": entry.department,
        "server_id": entry.server_id,
        "created_by": entry.created_by.username if entry.created_by else None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def budget_json(budget, user) -> dict:
    """The budget just set, as the seed routers answered it: {year, month, service, amount, set_by, set_at}."""
    return {
        "year": budget.year,
        "month": budget.month,
        "service": budget.service,
        "amount": budget.amount,
        "set_by": user.username,
        "set_at": budget.updated_at or budget.created_at,
    }


# --- costs ----------------------------------------------------------------------------------


@bp.get("/finops/costs")
@finops_api
def list_costs():
    """Filtered costs, newest first: {total, total_amount, items, page, per_page}."""
    costs = CostFilter.from_args(request.args)
    if costs.errors:
        refused(costs.errors, 400)
    # per_page is checked (400 naming it); page is forgiving as it always was here (nonsense or past the end: clamped)
    window = api_window({"per_page": request.args.get("per_page", "")}, default=API_PER_PAGE, maximum=MAX_PER_PAGE)
    result = cost_page(current_user.tenant_id, costs, page_number(), window.per_page)
    return jsonify(
        {
            "total": result.total,
            "total_amount": result.total_amount,
            "page": result.page,
            "per_page": window.per_page,
            "pages": result.pages,
            "items": [cost_json(e) for e in result.items],
        }
    )


@bp.post("/finops/costs")
@finops_api
def add_cost():
    """Create a cost (201); `service` defaults to INFRA (SPEC §7); nothing is stored when any field is refused."""
    data = json_object(_("Send a JSON object with year, month, category, service and amount."))
    if data.get("service") is None:  # left out (or null): the seed routers' default
        data = {**data, "service": DEFAULT_COST_SERVICE}
    values, errors = clean_cost(data, current_user.tenant_id)
    if errors:
        refused(errors)
    return jsonify(cost_json(create_cost(current_user, values))), 201


@bp.get("/finops/costs/<int:cost_id>")
@finops_api
def get_cost(cost_id: int):
    """One cost of the caller's tenant (404 for any other)."""
    return jsonify(cost_json(tenant_get_or_404(CostEntry, cost_id)))


@bp.route("/finops/costs/<int:cost_id>", methods=["PUT", "PATCH"])
@finops_api
def change_cost(cost_id: int):
    """Update a cost; fields left out keep their value."""
    entry = tenant_get_or_404(CostEntry, cost_id)
    data = json_object(_("Send a JSON object with the fields to change."))
    current = {name: getattr(entry, name) for name in EDITABLE}
    values, errors = clean_cost({**current, **data}, current_user.tenant_id, entry)
    if errors:
        refused(errors)
    update_cost(entry, current_user, values)
    return jsonify(cost_json(entry))


@bp.delete("/finops/costs/<int:cost_id>")
@finops_api
def remove_cost(cost_id: int):
    """Delete a cost (204)."""
    delete_cost(tenant_get_or_404(CostEntry, cost_id), current_user)
    return "", 204


# --- analytics ------------------------------------------------------------------------------


@bp.get("/finops/summary")
@finops_api
def summary():
    """Monthly summary with the budget block."""
    return jsonify(analytics.monthly_summary(current_user.tenant_id, *period_args()))


@bp.get("/finops/trend")
@finops_api
def trend():
    """The last N months (1–24, default 6) ending this month, or with ?end=YYYY-MM."""
    end = None
    if request.args.get("end"):
        raw = request.args["end"]
        year, _sep, month = raw.partition("-")
        try:
            end = (check_year(year), check_month(month))
        except InvalidParameter:
            refused({"end": _("end: use YYYY-MM, e.g. 2025-01.")}, 400)
    return jsonify(
        analytics.trend(
            current_user.tenant_id, months=request.args.get("months", 6), service=request.args.get("service") or None, end=end
        )
    )


@bp.get("/finops/allocation")
@finops_api
def allocation():
    """Every service's share of the month."""
    return jsonify(analytics.allocation(current_user.tenant_id, *period_args()))


@bp.get("/finops/anomalies")
@finops_api
def anomalies():
    """Anomalies at ?threshold= (5–200, default 30): month-over-month, or ?method=baseline (the 6-month median)."""
    rule = anomaly_rule()
    return jsonify(
        rule(current_user.tenant_id, *period_args(), threshold=request.args.get("threshold", analytics.DEFAULT_THRESHOLD))
    )


@bp.get("/finops/recommendations")
@finops_api
def recommendations():
    """Saving recommendations with money savings."""
    return jsonify(analytics.recommendations(current_user.tenant_id, *period_args()))


# --- budgets --------------------------------------------------------------------------------


@bp.get("/finops/budget")
@finops_api
def get_budget():
    """Budget vs actual for ?service= (ALL by default)."""
    year, month = period_args()
    return jsonify(analytics.budget_vs_actual(current_user.tenant_id, year, month, request.args.get("service") or "ALL"))


@bp.post("/finops/budget")
@role_required(*ADMIN, message=lambda: _("Only administrators can set budgets."))
def post_budget():
    """Set or update one month's budget for ALL or a service (201); other scopes are untouched.

    The answer: `message`, the `budget` object, and the budget-vs-actual figures at the top level as
    before (the budget's amount, which used to be `budget`, is `budget_amount`).
    """
    data = json_object(_("Send a JSON object with year, month, amount and service (ALL or a service)."))
    values, errors = clean_budget(data)
    if errors:
        refused(errors)
    budget, created = set_budget(current_user, values)
    result = analytics.budget_vs_actual(current_user.tenant_id, budget.year, budget.month, budget.service)
    figures = {key: value for key, value in result.items() if key != "budget"}
    return jsonify(
        {
            "message": _("The budget for %(year)s-%(month)02d has been set.", year=budget.year, month=budget.month),
            "budget": budget_json(budget, current_user),
            "id": budget.id,
            "created": created,
            **figures,
            "budget_amount": result["budget"],
        }
    ), 201


# --- AI advice (SPEC §3.8) ------------------------------------------------------------------


@bp.get("/finops/optimize")
@finops_api
def optimize():
    """Saving advice for the month: the model's text, or the rule-based tips (answers within the timeout + 3 s).

    ?refresh=1 asks the model again even when the month's figures are unchanged.
    """
    year, month = period_args()
    force = (request.args.get("refresh") or "").strip().lower() in ("1", "true", "yes")
    return jsonify(month_advice(current_user.tenant, year, month, user=current_user, force=force))


# --- anomaly rules --------------------------------------------------------------------------

ANOMALY_RULES = {"mom": analytics.anomalies, "baseline": analytics.baseline_anomalies}


def anomaly_rule():
    """The rule named by ?method= (mom, the seed's default, or baseline); any other value is a 400 naming it."""
    method = (request.args.get("method") or "mom").strip().lower()
    if method not in ANOMALY_RULES:
        refused({"method": _("method: use mom (month over month) or baseline (median of the previous 6 months).")}, 400)
    return ANOMALY_RULES[method]


# --- budgets over the year (SPEC §3.7) ------------------------------------------------------


@bp.get("/finops/budget/year")
@finops_api
def budget_year():
    """One scope's year (?service=, ALL by default): 12 months, year to date, annual budget, year-end forecast."""
    year = request.args.get("year") or current_month(current_user.tenant.timezone)[0]
    return jsonify(year_of_budget(current_user.tenant_id, year, request.args.get("service") or "ALL"))


@bp.get("/finops/budget/alerts")
@finops_api
def budget_alerts():
    """The year's budget alerts, newest first: what crossed, the figures, who was told and when."""
    year = request.args.get("year")
    try:
        year = check_year(year) if year else current_month(current_user.tenant.timezone)[0]
    except InvalidParameter as error:
        refused({"year": error.message}, 400)
    alerts = year_alerts(current_user.tenant_id, year)
    return jsonify({"year": year, "alert_count": len(alerts), "alerts": [alert_json(alert) for alert in alerts]})
