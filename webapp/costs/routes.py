"""Cost pages: one URL serves the full page and, for htmx, the fragment it swaps."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..analytics import current_month
from ..analytics.charges import CHARGE_CATEGORIES
from ..auth.roles import FINOPS, role_required, tenant_get_or_404
from ..extensions import db
from ..htmx import is_fragment, page_or_fragment, swap_or_redirect
from ..models import CostEntry
from ..pagination import page_number
from ..validation import FieldErrors
from . import bp
from .export import csv_stream, export_title, generated_at, xlsx_file
from .forms import CostForm
from .queries import (
    CostFilter,
    CostSort,
    cost_page,
    export_rows,
    filtered_breakdown,
    filtered_totals,
    tenant_servers,
    years_with_costs,
)
from .service import create_cost, delete_cost, update_cost


def _new_form(**kwargs) -> CostForm:
    """A cost form for this tenant, preset to the current month when empty."""
    form = CostForm(servers=tenant_servers(current_user.tenant_id), **kwargs)
    if request.method == "GET" and not form.year.data:
        form.year.data, form.month.data = (str(v) for v in current_month(current_user.tenant.timezone))
    return form


def _list_context(costs: CostFilter) -> dict:
    """What the table fragment needs (the order from ?sort=&dir=; a refused value is shown with the filter's)."""
    sort, refused = CostSort.from_args(request.args)
    costs.errors.update(refused)
    page = cost_page(current_user.tenant_id, costs, page_number(), sort=sort)
    return {
        "costs": costs,
        "page": page,
        "breakdown": filtered_breakdown(current_user.tenant_id, costs, page.total_amount),
        "filter_args": costs.as_args(),
        "sort": sort,
        "list_args": {**costs.as_args(), **sort.as_args()},
    }


def _page(form: CostForm, costs: CostFilter, status: int = 200):
    """The full costs page."""
    context = _list_context(costs)
    context.update(form=form, years=_year_choices(costs), server_name=_server_name(costs), charge_categories=CHARGE_CATEGORIES)
    context["without_server"] = {name: value for name, value in costs.as_args().items() if name != "server"}
    return page_or_fragment("costs/index.html", status=status, **context)


def _server_name(costs: CostFilter) -> str | None:
    """The name of the server the list is filtered to (None: no server filter or not the tenant's)."""
    return dict(tenant_servers(current_user.tenant_id)).get(costs.server) if costs.server else None


def _year_choices(costs: CostFilter) -> list[int]:
    """Years offered in the filter: those with costs, this year and the filtered one."""
    years = set(years_with_costs(current_user.tenant_id)) | {current_month(current_user.tenant.timezone)[0]}
    if costs.year:
        years.add(costs.year)
    return sorted(years, reverse=True)


@bp.route("/")
@role_required(*FINOPS)
def index():
    """The filtered list with totals and the add form; htmx gets only the table."""
    costs = CostFilter.from_args(request.args)
    status = 422 if costs.errors or CostSort.from_args(request.args)[1] else 200
    if is_fragment():  # the table only: no form or year list to build
        return page_or_fragment("costs/index.html", "costs/_table.html", status=status, **_list_context(costs))
    return _page(_new_form(), costs, status)


@bp.route("/", methods=["POST"])
@role_required(*FINOPS)
def create():
    """Add a cost; errors come back next to their fields (422) with what was typed."""
    form = _new_form()
    if form.validate_cost(current_user.tenant_id):
        entry = create_cost(current_user, form.clean)
        message = _("Cost %(code)s was added.", code=entry.code)
        fresh = _new_form(formdata=None)
        fresh.year.data, fresh.month.data = str(entry.year), str(entry.month)
        return swap_or_redirect(
            message,
            url_for("costs.index", year=entry.year, month=entry.month),
            "costs/_form.html",
            trigger="costs-changed",
            form=fresh,
            notice=message,
        )
    if is_fragment():
        return page_or_fragment("costs/index.html", "costs/_form.html", status=422, form=form)
    return _page(form, CostFilter.from_args(request.args), 422)


@bp.route("/<int:cost_id>")
@role_required(*FINOPS)
def row(cost_id: int):
    """One row of the table (htmx: cancel an edit); without htmx, back to the list."""
    entry = tenant_get_or_404(CostEntry, cost_id)
    if is_fragment():
        return render_template("costs/_row.html", cost=entry)
    return redirect(url_for("costs.index", year=entry.year, month=entry.month))


@bp.route("/<int:cost_id>/edit", methods=["GET", "POST"])
@role_required(*FINOPS)
def edit(cost_id: int):
    """Edit in place (htmx swaps the row for an editable row) or on its own page without JavaScript."""
    entry = tenant_get_or_404(CostEntry, cost_id)
    form = CostForm(servers=tenant_servers(current_user.tenant_id))
    if request.method == "GET":
        form.fill_from(entry)
    elif form.validate_cost(current_user.tenant_id, entry):
        changes = update_cost(entry, current_user, form.clean)
        return swap_or_redirect(
            _("Cost %(code)s was updated.", code=entry.code),
            url_for("costs.index"),
            "costs/_row.html",
            trigger="costs-totals-changed" if changes else None,
            cost=entry,
            just_saved=True,
        )
    status = 422 if request.method == "POST" else 200
    return page_or_fragment("costs/edit.html", "costs/_edit_row.html", status=status, cost=entry, form=form)


@bp.route("/<int:cost_id>/delete", methods=["GET", "POST"])
@role_required(*FINOPS)
def delete(cost_id: int):
    """Delete after confirmation: htmx confirms in the browser; without JavaScript a confirmation page."""
    entry = tenant_get_or_404(CostEntry, cost_id)
    if request.method == "GET":
        return render_template("costs/delete.html", cost=entry)
    code = entry.code
    delete_cost(entry, current_user)
    message = _("Cost %(code)s was deleted.", code=code)
    return swap_or_redirect(
        message, url_for("costs.index"), "costs/_deleted_row.html", trigger="costs-totals-changed", message=message
    )


@bp.route("/totals")
@role_required(*FINOPS)
def totals():
    """The filtered count and total (refreshed after an edit or delete)."""
    costs = CostFilter.from_args(request.args)
    count, amount = filtered_totals(current_user.tenant_id, costs)
    breakdown = filtered_breakdown(current_user.tenant_id, costs, amount)
    return render_template("costs/_totals.html", count=count, amount=amount, costs=costs, breakdown=breakdown)


def _export_filter() -> CostFilter:
    """The list filter for an export; a bad filter is refused (400 naming the field) rather than exporting everything."""
    costs = CostFilter.from_args(request.args)
    if costs.errors:
        raise FieldErrors(costs.errors, 400)
    return costs


@bp.route("/export.csv")
@role_required(*FINOPS)
def export_csv():
    """The filtered list as CSV, streamed from a connection the response owns (closed with the response)."""
    costs = _export_filter()
    body, close = csv_stream(db.engine, current_user.tenant_id, costs, current_user.tenant.timezone)
    response = Response(body, mimetype="text/csv")  # Werkzeug adds "; charset=utf-8" to text/* types itself
    response.call_on_close(close)
    response.headers["Content-Disposition"] = f'attachment; filename="costs_{costs.slug()}.csv"'
    return response


@bp.route("/export.xlsx")
@role_required(*FINOPS)
def export_xlsx():
    """The filtered list as an Excel workbook."""
    costs = _export_filter()
    tenant = current_user.tenant
    count, total = filtered_totals(tenant.id, costs)
    described = ", ".join(f"{k}={v}" for k, v in costs.as_args().items()) or _("all costs")
    handle = xlsx_file(
        export_rows(tenant.id, costs),
        zone_name=tenant.timezone,
        title=f"{tenant.name} · {export_title()}",
        subtitle=_(
            "Filter: %(filter)s · %(count)s items · made %(when)s",
            filter=described,
            count=count,
            when=generated_at(tenant.timezone),
        ),
        total=total,
        currency=tenant.currency,
    )
    return send_file(
        handle,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"costs_{costs.slug()}.xlsx",
    )
