"""The year view (예산 → 연간): 12 months per scope, year to date, forecast, alerts; ADMINs copy last year's budgets."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..analytics.periods import check_year, current_month
from ..auth.roles import ADMIN, FINOPS, role_required
from ..models import BUDGET_SCOPE_ALL
from ..validation import InvalidParameter
from . import bp
from .alerts import year_alerts
from .forms import BudgetCopyForm
from .service import COPY_EVERY_SCOPE, copy_last_year
from .year import year_overview


def _year_from(args) -> tuple[int, dict[str, str]]:
    """?year= (this year in the tenant's zone when absent or refused) and the refusal, if any."""
    this_year = current_month(current_user.tenant.timezone)[0]
    if not args.get("year"):
        return this_year, {}
    try:
        return check_year(args["year"]), {}
    except InvalidParameter as error:
        return this_year, {"year": error.message}


def _copy_form(year: int) -> BudgetCopyForm | None:
    """The copy form for ADMINs (None for everyone else)."""
    if not current_user.has_role(*ADMIN):
        return None
    form = BudgetCopyForm(formdata=None)
    form.year.data, form.scope.data = str(year), COPY_EVERY_SCOPE
    return form


def _render_year(year: int, scope: str | None, errors: dict, form: BudgetCopyForm | None, status: int = 200):
    """The year page for one selected scope."""
    overview = year_overview(current_user.tenant_id, year)
    scope = scope if scope in overview["scopes"] else BUDGET_SCOPE_ALL
    return render_template(
        "budgets/year.html",
        overview=overview,
        year=year,
        scope=scope,
        selected=overview["scopes"][scope],
        errors=errors,
        copy_form=form,
        alerts=year_alerts(current_user.tenant_id, year),
    ), status


@bp.route("/year")
@role_required(*FINOPS)
def year_view():
    """The year of every scope with a budget; ?service= picks the scope shown in detail."""
    year, errors = _year_from(request.args)
    scope = (request.args.get("service") or BUDGET_SCOPE_ALL).strip().upper()
    return _render_year(year, scope, errors, _copy_form(year), 422 if errors else 200)


@bp.route("/year/copy", methods=["POST"])
@role_required(*ADMIN, message=lambda: _("Only administrators can set budgets."))
def copy_year():
    """Copy last year's budgets into this year; months that already have a budget are left alone."""
    form = BudgetCopyForm()
    if not form.validate_copy():
        year = form.clean.get("year") or current_month(current_user.tenant.timezone)[0]
        return _render_year(year, BUDGET_SCOPE_ALL, {}, form, 422)
    values = form.clean
    result = copy_last_year(current_user, values["year"], values["scope"], values["scale_pct"])
    if result.copied or result.kept:
        flash(
            _(
                "Copied %(copied)s monthly budgets from %(source)s into %(year)s (%(scale)s%%); %(kept)s months already "
                "had a budget and were left alone.",
                copied=result.copied,
                source=result.source_year,
                year=values["year"],
                scale=f"{values['scale_pct']:+}",
                kept=result.kept,
            ),
            "success",
        )
    else:
        flash(_("%(source)s has no budgets to copy.", source=result.source_year), "info")
    return redirect(url_for("budgets.year_view", year=values["year"]))
