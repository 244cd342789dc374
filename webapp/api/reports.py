"""Report API (SPEC §7): templates, generate, list, one report's status, download."""

from __future__ import annotations

import time

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import EVERYONE, role_required
from ..errors import error_response
from ..extensions import db
from ..models import Report
from ..pagination import page_headers
from ..reports.access import readable_report_or_404, templates_for
from ..reports.files import not_ready_message, stored_file_response
from ..reports.periods import today_in
from ..reports.queries import api_reports, report_window
from ..reports.service import TEMPLATES, ReportRequestError, check_request, request_report, retry_report
from ..validation import CODE_TEXT_MAX, InvalidParameter, check_text, decimal_number
from . import bp

WAIT_MAX_SECONDS = 30


def report_json(report: Report) -> dict:
    """The API shape of a report."""
    body = {
        "id": report.id,
        "report_id": report.id,
        "template": report.template,
        "name": TEMPLATES[report.template].name if report.template in TEMPLATES else report.template,
        "period": f"{report.period_start.isoformat()}~{report.period_end.isoformat()}",
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "format": report.format,
        "status": report.status,
        "created_at": report.created_at.isoformat() if report.created_at else None,
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        "error": report.error,
        "schedule_id": report.schedule_id,
    }
    if report.status == "DONE":
        body.update(
            file_name=report.file_name,
            size=report.size,
            sha256=report.sha256,
            download_url=f"/api/auto-report/{report.id}/download",
            data_summary=report.data_summary,
        )
    return body


@bp.get("/auto-report/templates")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def report_templates():
    """The templates the caller may use: [{code, name, period, format[]}]."""
    return jsonify(
        [
            {"code": t.code, "name": t.name, "label": str(t.label), "period": t.period, "format": list(t.formats)}
            for t in templates_for(current_user).values()
        ]
    )


@bp.post("/auto-report/generate")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def generate_report():
    """Queue a report: {template, period_start?, period_end?, format (excel), send_email?, email?, wait?}.

    Answers 202 with the report id and status QUEUED; with `wait` (seconds, at most 30) the
    call waits for the job and answers 200 with `data_summary` once the report is DONE.
    When the job queue is unreachable nothing is stored and the error policy answers 503.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(detail=_("Send a JSON object.")), 400
    seconds = decimal_number(body.get("wait") or 0)  # finite, ASCII digits: "NaN" would make the wait below endless
    if seconds is None:
        return refused("wait", _("wait: give a number of seconds (0 to %(max)s).", max=WAIT_MAX_SECONDS))
    wait = float(min(max(seconds, 0), WAIT_MAX_SECONDS))
    tenant = current_user.tenant
    try:
        code = check_text("template", body.get("template"), max_length=CODE_TEXT_MAX)
        fmt = check_text("format", body.get("format"), max_length=CODE_TEXT_MAX, default="excel").lower()
        recipients = body.get("recipients") or body.get("email")  # `recipients[]` or `email`, as the form's box
        wanted = check_request(  # the report page's check: template, role, format, period, recipients
            current_user,
            code,
            fmt,
            body.get("period_start"),
            body.get("period_end"),
            today_in(tenant.timezone),
            send_email=bool(body.get("send_email")),
            recipients=recipients if isinstance(recipients, list) else str(recipients or ""),
        )
        report = request_report(
            tenant, wanted.template.code, wanted.start, wanted.end, wanted.fmt, user=current_user, deliver_to=wanted.deliver_to
        )
    except ReportRequestError as exc:
        return refused(exc.field, str(exc))
    except InvalidParameter as exc:
        return refused(exc.field, exc.message)
    return _requested(_wait_for(report.id, wait))


def _requested(report: Report, **extra):
    """The answer to a generate (or retry) request: 202 while queued or running, 200 once DONE or FAILED."""
    body = {
        "ok": report.status != "FAILED",
        "report_id": report.id,
        "template": report.template,
        "period": {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
        "format": report.format,
        "status": report.status,
        "status_url": f"/api/auto-report/{report.id}",
        **extra,
    }
    if report.status == "DONE":
        body.update(data_summary=report.data_summary, download_url=f"/api/auto-report/{report.id}/download")
    if report.status == "FAILED":
        body["error"] = report.error
    return jsonify(body), 200 if report.status in ("DONE", "FAILED") else 202


def refused(field: str | None, message: str):
    """400 `{"detail", "errors": {field: message}, "field"}`: the app's error shape, plus `field` for older clients."""
    return error_response(400, message, {field: message} if field else None, field=field)


@bp.post("/auto-report/<int:report_id>/retry")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def retry_failed_report(report_id: int):
    """Generate a FAILED report again: a new report with its template, period and format (409 unless FAILED)."""
    failed = readable_report_or_404(report_id)
    try:
        report = retry_report(failed, current_user)
    except ReportRequestError as exc:
        if exc.field == "status":
            return jsonify(detail=str(exc), status=failed.status), 409  # the shape of the download's 409
        return error_response(422, str(exc), {exc.field: str(exc)})
    return _requested(report, retry_of=report_id)


def _wait_for(report_id: int, seconds: float) -> Report:
    """Poll the row (never build here) until it is DONE or FAILED or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        report = db.session.get(Report, report_id)
        if report.status in ("DONE", "FAILED") or time.monotonic() >= deadline:
            return report
        time.sleep(0.25)


@bp.get("/auto-report/list")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def list_reports():
    """The tenant's reports, newest first: [{id, template, period "start~end", format, status, created_at}].

    ?template= lists one template. ?page=&per_page= (default 100, at most 500) page through them, as
    do the older ?limit=&offset=; X-Total-Count (and X-Page, X-Per-Page, X-Total-Pages) count the same
    filter. A bad paging value is a 400 naming the parameter.
    """
    template = request.args.get("template") or None
    reports, facts = api_reports(current_user, report_window(request.args), template)
    return jsonify([report_json(r) for r in reports]), 200, page_headers(facts)


@bp.get("/auto-report/<int:report_id>")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def report_status(report_id: int):
    """One report: status, error, and when DONE the file details and data_summary."""
    return jsonify(report_json(readable_report_or_404(report_id)))


@bp.get("/auto-report/<int:report_id>/download")
@role_required(*EVERYONE)  # which templates and reports: reports/access.py
def download_report(report_id: int):
    """The stored file (409 while the report is not DONE)."""
    report = readable_report_or_404(report_id)
    if report.status != "DONE":
        return jsonify(detail=not_ready_message(report), status=report.status), 409
    return stored_file_response(report)
