"""Schedule API: POST/GET /api/auto-report/schedule (SPEC §7), plus one schedule, delete and run now.

The list and a schedule's runs come from webapp/schedules/queries.py, as on the schedule pages, and
are paged the API way (?page=&per_page=; X-Total-Count, X-Page, X-Per-Page, X-Total-Pages on the
list, `runs_page` {page, per_page, total, pages} beside a schedule's runs). Refused schedule fields
answer 400 with {detail, errors, field} (the contract the schedule clients were built on).
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import MANAGERS, role_required
from ..errors import error_response
from ..extensions import db
from ..json_api import json_object, list_response
from ..models.schedules import ReportSchedule, ScheduleRun
from ..pagination import api_page, api_window
from ..reports.access import readable_schedule_or_404
from ..schedules import queries, service
from ..schedules.delivery import delivery_summary
from ..schedules.describe import describe
from ..schedules.runs import run_now
from . import bp


def schedule_json(schedule: ReportSchedule) -> dict:
    """The API shape of a schedule (times are written as ISO 8601 by the app's JSON provider)."""
    return {
        "id": schedule.id,
        "url": url_for("api.get_schedule", schedule_id=schedule.id),
        "name": schedule.name,
        "template": schedule.template,
        "cron": schedule.cron,
        "description": describe(schedule.cron),
        "timezone": schedule.timezone,
        "format": schedule.format,
        "recipients": list(schedule.recipients or []),
        "email": (schedule.recipients or [None])[0],
        "active": schedule.active,
        "skip_when_empty": schedule.skip_when_empty,
        "owner": schedule.owner.username if schedule.owner else None,
        "next_run_at": schedule.next_run_at,
        "last_run_at": schedule.last_run_at,
        "created_at": schedule.created_at,
    }


def run_json(run: ScheduleRun, deliveries: list | None = None) -> dict:
    """The API shape of a run; status DELIVERY_FAILED when the report was built but e-mails failed for good.

    With its deliveries, `emails` counts the link e-mails by status (SENT, PENDING, FAILED).
    """
    body = {
        "id": run.id,
        "scheduled_for": run.scheduled_for,
        "trigger": run.trigger,
        "status": run.status,
        "report_id": run.report_id,
        "report_url": url_for("api.report_status", report_id=run.report_id) if run.report_id else None,
        "error": run.error,
        "finished_at": run.finished_at,
    }
    if deliveries is not None:
        body["emails"] = delivery_summary(deliveries)
    return body


@bp.post("/auto-report/schedule")
@role_required(*MANAGERS)
def create_schedule():
    """Create a schedule: {template, cron, email | recipients[], format?, timezone?, name?, skip_when_empty?}."""
    data = dict(json_object(_("Send a JSON object.")))
    recipients = data.get("recipients")
    if recipients is None and data.get("email"):
        recipients = [data["email"]]
    if recipients is not None and not isinstance(recipients, (list, str)):
        message = _("Recipients: send a list of e-mail addresses.")
        return error_response(400, message, {"recipients": message}, field="recipients")
    data["recipients"] = recipients
    if data.get("timezone") in (None, ""):  # only when absent: [] or false is refused by validate(), not defaulted
        data["timezone"] = current_user.tenant.timezone  # format and active default in validate()
    try:
        schedule = service.create_schedule(current_user.tenant, current_user, data)
    except service.ScheduleInputError as exc:
        db.session.rollback()
        return error_response(400, " ".join(exc.errors.values()), exc.errors, field=next(iter(exc.errors)))
    return jsonify(ok=True, **schedule_json(schedule)), 201


@bp.get("/auto-report/schedule")
@role_required(*MANAGERS)
def list_schedules():
    """The tenant's schedules (of the templates the caller may use) with next_run_at, oldest first, one page."""
    schedules, facts = api_page(queries.schedule_list(current_user.tenant_id, by_id=True), api_window())
    return list_response([schedule_json(s) for s in schedules], facts)


@bp.get("/auto-report/schedule/<int:schedule_id>")
@role_required(*MANAGERS)
def get_schedule(schedule_id: int):
    """One schedule with a page of its runs, newest first (?page=&per_page=, 20 a page by default)."""
    schedule = readable_schedule_or_404(schedule_id)
    runs, facts = api_page(queries.run_history(schedule.id), api_window(default=queries.RUNS_PER_PAGE))
    deliveries = queries.run_facts(runs).deliveries
    return jsonify(**schedule_json(schedule), runs=[run_json(r, deliveries[r.id]) for r in runs], runs_page=facts)


@bp.delete("/auto-report/schedule/<int:schedule_id>")
@role_required(*MANAGERS)
def delete_schedule(schedule_id: int):
    """Delete a schedule (its reports stay)."""
    schedule = readable_schedule_or_404(schedule_id)
    service.delete_schedule(schedule, current_user)
    return jsonify(ok=True)


@bp.post("/auto-report/schedule/<int:schedule_id>/run")
@role_required(*MANAGERS)
def run_schedule(schedule_id: int):
    """Run now: generate the last complete period and e-mail it (503 and no run when the job queue is down)."""
    schedule = readable_schedule_or_404(schedule_id)
    run = run_now(schedule, current_user)  # QueueUnavailable → 503 by the error policy
    return jsonify(ok=True, run=run_json(run)), 202
