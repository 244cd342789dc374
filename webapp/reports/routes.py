"""The 보고서 page: request a report, watch it being built, download it; plus the printable page."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import ADMIN, EVERYONE, role_required
from ..errors import error_response
from ..htmx import fragment_target, is_fragment, page_or_fragment
from ..jobs import QueueUnavailable
from . import bp
from .access import check_template_access, readable_report_or_404, templates_for
from .collectors import collect
from .files import not_ready_message, stored_file_response
from .forms import ReportForm
from .periods import PRESETS, preset_period, today_in
from .queries import list_filters, recipients_of, report_page
from .registry import TEMPLATES
from .service import (
    ReportRequest,
    ReportRequestError,
    check_period,
    check_request,
    default_period,
    delete_report,
    parse_period,
    request_report,
    retry_report,
)


def _tenant_today() -> date:
    """Today in the signed-in user's institution."""
    return today_in(current_user.tenant.timezone)


def _form_context(form: ReportForm) -> dict:
    """What the form fragment shows besides the fields: each period choice's dates and the printable page's link."""
    offered = templates_for(current_user)
    template = offered.get(form.template.data) or next(iter(offered.values()))
    today = _tenant_today()
    start, end = default_period(template.code, today)
    presets = {name: preset_period(name, today) for name in PRESETS}
    print_args = {}
    chosen_period = _chosen_period(form, presets)
    if chosen_period is not None:
        print_args = {"start": chosen_period[0].isoformat(), "end": chosen_period[1].isoformat()}
    return {
        "form": form,
        "chosen": template,
        "default_start": start,
        "default_end": end,
        "presets": presets,
        "print_url": url_for("reports.printable", template_code=template.code, **print_args),
    }


def _chosen_period(form: ReportForm, presets: dict) -> tuple[date, date] | None:
    """The period the form shows chosen (a preset, or complete custom dates in order); None means the default."""
    if form.period.data in presets:
        return presets[form.period.data]
    if form.period.data == "custom":
        try:
            start, end = form.period_start.data, form.period_end.data
        except (TypeError, ValueError):
            return None
        if isinstance(start, date) and isinstance(end, date) and start <= end:
            return start, end
    return None


def _list_context(page_number: int | None = None, args=None) -> dict:
    """The report list's page (filtered by ?list_template=&list_status=), its filters and each report's recipients."""
    filters = list_filters(args if args is not None else request.args, current_user)
    page = report_page(current_user, page_number, filters["template"], filters["status"])
    return {
        "page": page,
        "filters": filters,
        "filter_templates": templates_for(current_user),
        "recipients": recipients_of([r.id for r in page.items]),
    }


def _validated_request(form: ReportForm) -> ReportRequest | None:
    """The request the form makes (checked by service.check_request, as the API's is), or None with errors on the fields."""
    check_template_access(form.template.data or "")  # a template the role may not use is a 403, whatever else is wrong
    if not form.validate():
        return None
    start = end = None
    if form.period.data in PRESETS:
        start, end = preset_period(form.period.data, _tenant_today())
    elif form.period.data == "custom":
        if not form.period_start.data or not form.period_end.data:
            field = form.period_start if not form.period_start.data else form.period_end
            field.errors.append(_("Enter both dates for a custom period (YYYY-MM-DD)."))
            return None
        start, end = form.period_start.data, form.period_end.data
    try:
        return check_request(
            current_user,
            form.template.data,
            form.format.data,
            start,
            end,
            _tenant_today(),
            send_email=bool(form.send_email.data),
            recipients=form.email.data,
        )
    except ReportRequestError as exc:
        target = {"template": form.template, "format": form.format, "email": form.email}.get(exc.field, form.period_start)
        target.errors.append(str(exc))
        return None


@bp.route("/", methods=["GET", "POST"])
@role_required(*EVERYONE)
def index():
    """The report page: the request form and the tenant's reports (each part is also an htmx fragment)."""
    form = ReportForm(request.form if request.method == "POST" else request.args)
    form.offer_templates(templates_for(current_user), keep_choice=request.method == "POST")
    if request.method == "POST":
        form.limit_formats(pick_offered=False)
        wanted = _validated_request(form)
        if wanted is None:
            return _form_refused(form, None, 422)
        try:
            report = request_report(
                current_user.tenant,
                wanted.template.code,
                wanted.start,
                wanted.end,
                wanted.fmt,
                user=current_user,
                deliver_to=wanted.deliver_to,
            )
        except QueueUnavailable as exc:  # nothing was stored: the form comes back as typed, with the reason
            return _form_refused(form, exc.message, 503)
        if is_fragment():
            return render_template("reports/_list.html", **_list_context(1, {}), new_report_id=report.id)
        flash(_("The report was queued. This page shows when it is ready."), "success")
        return redirect(url_for("reports.index"))
    form.limit_formats()
    if fragment_target() in ("report-form", "print-link"):  # the form alone (template or period changed): no list query
        return render_template("reports/_form.html", **_form_context(form))
    return page_or_fragment(
        "reports/index.html",
        {"report-list": "reports/_list.html"},
        **_list_context(),
        **_form_context(form),
    )


def _form_refused(form: ReportForm, banner: str | None, status: int):
    """The form again with what was typed: its field errors (422), or a banner such as "queue unreachable" (503)."""
    context = {**_form_context(form), "form_banner": banner}
    if is_fragment():
        headers = {"HX-Retarget": "#report-form", "HX-Reswap": "outerHTML"}
        return render_template("reports/_form.html", **context), status, headers
    return render_template("reports/index.html", **_list_context(1, {}), **context), status


@bp.post("/<int:report_id>/retry")
@role_required(*EVERYONE)
def retry(report_id: int):
    """다시 생성: a new report with a FAILED one's template, period and format (the failed row stays)."""
    failed = readable_report_or_404(report_id)
    try:
        retry_report(failed, current_user)
    except ReportRequestError as exc:
        return error_response(409 if exc.field == "status" else 422, str(exc))
    except QueueUnavailable as exc:  # nothing new was stored; the failed report is still listed
        form = ReportForm(formdata=None)
        form.offer_templates(templates_for(current_user), keep_choice=False)
        form.limit_formats()
        return render_template("reports/index.html", **_list_context(1, {}), list_banner=exc.message, **_form_context(form)), 503
    flash(_("The report is being generated again. This page shows when it is ready."), "success")
    return redirect(url_for("reports.index"))


@bp.route("/<int:report_id>")
@role_required(*EVERYONE)
def detail(report_id: int):
    """One report: its table row for htmx (polls itself while pending), a small page otherwise."""
    report = readable_report_or_404(report_id)
    return page_or_fragment("reports/detail.html", "reports/_row.html", report=report, recipients=recipients_of([report.id]))


@bp.route("/<int:report_id>/delete", methods=["GET", "POST"])
@role_required(*ADMIN)
def delete(report_id: int):
    """삭제 (ADMIN): a confirmation page, then the report, its file and its e-mail records go (audited)."""
    report = readable_report_or_404(report_id)
    if request.method == "GET":
        return render_template("reports/delete.html", report=report)
    if request.form.get("confirm") != "yes":
        return render_template("reports/delete.html", report=report, confirm_error=True), 422
    name = report.file_name
    delete_report(report, current_user)
    flash(_("The report was deleted: %(name)s", name=name or f"#{report_id}"), "success")
    return redirect(url_for("reports.index"))


@bp.route("/<int:report_id>/download")
@role_required(*EVERYONE)
def download(report_id: int):
    """The stored file, byte for byte as it was built."""
    report = readable_report_or_404(report_id)
    if report.status != "DONE":
        return render_template("errors/error.html", status=409, detail=not_ready_message(report)), 409
    return stored_file_response(report)


@bp.route("/print/<template_code>")
@role_required(*EVERYONE)
def printable(template_code: str):
    """The printable page of a PDF template for a period (the same HTML the PDF is rendered from)."""
    from .pdf import render_html

    if template_code not in TEMPLATES or not TEMPLATES[template_code].offers("pdf"):
        abort(404)
    check_template_access(template_code)
    try:
        start, end = _print_period(template_code)
    except ReportRequestError as exc:
        return render_template("errors/error.html", status=400, detail=str(exc)), 400
    data = collect(template_code, current_user.tenant, start, end)
    return render_html(data, for_pdf=False, back_url=url_for("reports.index", template=template_code))


def _print_period(template_code: str) -> tuple[date, date]:
    """The period from ?start=&end= (both or neither; neither means the default period)."""
    start, end = parse_period(template_code, request.args.get("start"), request.args.get("end"), _tenant_today())
    check_period(start, end)
    return start, end
