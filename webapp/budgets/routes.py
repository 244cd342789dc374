"""Budget page: budget vs actual per service for a month; ADMINs set and remove budgets."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import analytics
from ..auth.roles import ADMIN, FINOPS, role_required, tenant_get_or_404
from ..costs.validation import plain_amount
from ..htmx import is_fragment, page_or_fragment, swap_or_redirect
from ..models import BUDGET_SCOPE_ALL, Budget
from ..month_picker import month_picker
from . import bp
from .forms import BudgetForm
from .service import budget_ids, find_budget, remove_budget, set_budget


def _form_for(year: int, month: int) -> BudgetForm:
    """The set-budget form preset to the month and, with ?service=, to that scope's current amount."""
    form = BudgetForm(formdata=None)
    form.year.data, form.month.data = str(year), str(month)
    service = (request.args.get("service") or "ALL").upper()
    form.service.data = service
    existing = find_budget(current_user.tenant_id, year, month, service)
    if existing is not None:
        form.amount.data = plain_amount(existing.amount)
    return form


def scope_name(service: str) -> str:
    """A budget scope as people say it: the institution total by its name, a service by its code."""
    return _("Institution total") if service == BUDGET_SCOPE_ALL else service


@bp.route("/")
@role_required(*FINOPS)
def index():
    """Budget vs actual for the chosen month (htmx: the table only)."""
    year, month, errors = analytics.month_from_args(request.args, current_user.tenant.timezone)
    overview = analytics.budget_overview(current_user.tenant_id, year, month)
    ids = budget_ids(current_user.tenant_id, year, month)
    if is_fragment():  # the table only (no form to build); the table is refreshed after a change
        return page_or_fragment("budgets/index.html", "budgets/_table.html", overview=overview, ids=ids)
    form = _form_for(year, month) if current_user.has_role("ADMIN") else None
    return page_or_fragment(
        "budgets/index.html",
        status=422 if errors else 200,
        overview=overview,
        form=form,
        year=year,
        month=month,
        picker=month_picker("budgets.index", year, month),
        errors=errors,
        ids=ids,
    )


@bp.route("/", methods=["POST"])
@role_required(*ADMIN)
def save():
    """Create or update one budget; a service budget never replaces the ALL budget."""
    form = BudgetForm()
    if form.validate_budget():
        budget, created = set_budget(current_user, form.clean)
        message = (
            _("Budget set: %(scope)s %(period)s.", scope=scope_name(budget.service), period=f"{budget.year}-{budget.month:02d}")
            if created
            else _(
                "Budget updated: %(scope)s %(period)s.",
                scope=scope_name(budget.service),
                period=f"{budget.year}-{budget.month:02d}",
            )
        )
        return swap_or_redirect(
            message,
            url_for("budgets.index", year=budget.year, month=budget.month),
            "budgets/_form.html",
            trigger="budgets-changed",
            form=form,
            notice=message,
        )
    if is_fragment():
        return page_or_fragment("budgets/index.html", "budgets/_form.html", status=422, form=form)
    year, month = form.clean.get("year"), form.clean.get("month")
    if not (year and month):
        year, month = analytics.current_month(current_user.tenant.timezone)
    overview = analytics.budget_overview(current_user.tenant_id, year, month)
    return page_or_fragment(
        "budgets/index.html",
        status=422,
        overview=overview,
        form=form,
        year=year,
        month=month,
        picker=month_picker("budgets.index", year, month),
        errors={},
        ids=budget_ids(current_user.tenant_id, year, month),
    )


@bp.route("/<int:budget_id>/delete", methods=["POST"])
@role_required(*ADMIN)
def delete(budget_id: int):
    """Remove a budget; the scope shows NO_BUDGET again."""
    budget = tenant_get_or_404(Budget, budget_id)
    year, month, scope = budget.year, budget.month, budget.service
    remove_budget(budget, current_user)
    flash(_("Budget removed: %(scope)s %(period)s.", scope=scope_name(scope), period=f"{year}-{month:02d}"), "success")
    return redirect(url_for("budgets.index", year=year, month=month))
