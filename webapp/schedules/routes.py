"""Schedule pages (PM/ADMIN), the cron preview fragment, the admin outbox, and the public signed download."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import ADMIN, MANAGERS, role_required
from ..extensions import db
from ..htmx import is_fragment, page_or_fragment
from ..jobs import QueueUnavailable
from ..models import utcnow
from ..models.schedules import ReportSchedule
from ..pagination import paginate
from ..reports.access import readable_schedule_or_404, templates_for
from ..reports.files import stored_file_response
from . import bp, cron, links, outbox, queries, service
from .describe import describe
from .forms import ScheduleForm
from .runs import run_now

PREVIEW_COUNT = 5


def _form(schedule: ReportSchedule | None = None) -> ScheduleForm:
    """The form filled from the request, the schedule, or the defaults."""
    form = ScheduleForm(obj=schedule) if schedule is not None else ScheduleForm()
    if schedule is None and request.method == "GET":
        form.timezone.data = form.timezone.data or current_user.tenant.timezone
        form.cron.data = form.cron.data or "0 9 * * 1"
    if schedule is not None and request.method == "GET":
        form.recipients.data = "\n".join(schedule.recipients or [])
    if request.method == "GET":  # the htmx template switch sends the chosen template and format as query arguments
        form.template.data = request.args.get("template") or form.template.data
        form.format.data = request.args.get("format") or form.format.data
    form.fill_choices(templates_for(current_user), adjust_format=request.method == "GET")
    return form


def preview_context(expression: str, zone: str) -> dict:
    """Description, next run times (in the schedule's zone) or the error, for the preview fragment."""
    error = service.cron_error(expression) or service.zone_error(zone)
    if error:
        return {"error": error, "description": None, "runs": [], "zone": zone}
    return {
        "error": None,
        "description": describe(expression),
        "zone": zone,
        "runs": cron.next_fires(" ".join(expression.split()), zone.strip(), utcnow(), PREVIEW_COUNT),
    }


def _render_form(form: ScheduleForm, schedule: ReportSchedule | None, status: int = 200):
    """The form page (or, for htmx, the fragment that was asked for)."""
    context = {
        "form": form,
        "schedule": schedule,
        "zones": cron.zone_choices(),
        "preview": preview_context(form.cron.data or "", form.timezone.data or ""),
    }
    fragments = {"format-field": "schedules/_format_field.html", None: "schedules/_form.html"}  # None: the form swaps itself
    return page_or_fragment("schedules/form.html", fragments, status=status, **context)


def _save(form: ScheduleForm, schedule: ReportSchedule | None):
    """Validate with the domain rules; on error put each message on its field."""
    try:
        if schedule is None:
            schedule = service.create_schedule(current_user.tenant, current_user, form.as_input())
            flash(_("The schedule was created."), "success")
        else:
            service.update_schedule(schedule, current_user, form.as_input())
            flash(_("The schedule was saved."), "success")
    except service.ScheduleInputError as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        return None
    return schedule


def _after_save(schedule: ReportSchedule):
    """Go to the schedule (HX-Redirect for htmx posts)."""
    target = url_for("schedules.detail", schedule_id=schedule.id)
    if is_fragment():
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


@bp.route("/schedules/")
@role_required(*MANAGERS)
def index():
    """The tenant's schedules with their next run and last status."""
    page = paginate(queries.schedule_list(current_user.tenant_id), per_page=queries.SCHEDULES_PER_PAGE)
    facts = queries.schedule_facts(page.items)
    return render_template(
        "schedules/index.html", schedules=page.items, page=page, last=facts.last, descriptions=facts.descriptions
    )


@bp.route("/schedules/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():
    """New schedule form."""
    form = _form()
    if request.method == "POST" and form.validate():
        schedule = _save(form, None)
        if schedule is not None:
            return _after_save(schedule)
    return _render_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit(schedule_id: int):
    """Edit a schedule."""
    schedule = readable_schedule_or_404(schedule_id)
    form = _form(schedule)
    if request.method == "POST" and form.validate():
        if _save(form, schedule) is not None:
            return _after_save(schedule)
    return _render_form(form, schedule, 422 if request.method == "POST" else 200)


@bp.route("/schedules/preview")
@role_required(*MANAGERS)
def preview():
    """The cron preview: description and next 5 runs, or the error (fragment for htmx, small page otherwise)."""
    context = preview_context(request.args.get("cron", ""), request.args.get("timezone", ""))
    return page_or_fragment("schedules/preview.html", "schedules/_cron_preview.html", preview=context)


@bp.route("/schedules/<int:schedule_id>")
@role_required(*MANAGERS)
def detail(schedule_id: int):
    """A schedule and its run history (the history fragment polls itself while a run is in progress)."""
    schedule = readable_schedule_or_404(schedule_id)
    context = _detail_context(schedule)
    return page_or_fragment("schedules/detail.html", {"run-history": "schedules/_runs.html"}, **context)


def _detail_context(schedule: ReportSchedule, page_number: int | None = None) -> dict:
    """What the schedule page shows: the schedule, a page of its runs (?page=) with their e-mails."""
    page = paginate(queries.run_history(schedule.id), per_page=queries.RUNS_PER_PAGE, page=page_number)
    facts = queries.run_facts(page.items)
    return {
        "schedule": schedule,
        "page": page,
        "deliveries": facts.deliveries,
        "summaries": facts.summaries,
        "description": describe(schedule.cron),
        "in_progress": facts.in_progress(page.items),
    }


@bp.post("/schedules/<int:schedule_id>/pause", endpoint="pause", defaults={"active": False})
@bp.post("/schedules/<int:schedule_id>/resume", endpoint="resume", defaults={"active": True})
@role_required(*MANAGERS)
def set_active(schedule_id: int, active: bool):
    """Pause (stop firing) or resume (fire again from the next slot after now); back to the list or the schedule."""
    schedule = readable_schedule_or_404(schedule_id)
    service.set_active(schedule, current_user, active)
    flash(_("The schedule is active again.") if active else _("The schedule is paused."), "success")
    if request.form.get("next") == url_for("schedules.index"):  # only our own list, never a URL from the form
        return redirect(url_for("schedules.index"))
    return redirect(url_for("schedules.detail", schedule_id=schedule.id))


@bp.route("/schedules/<int:schedule_id>/delete", methods=["GET", "POST"])
@role_required(*MANAGERS)
def delete(schedule_id: int):
    """Ask for confirmation (GET), then delete (POST)."""
    schedule = readable_schedule_or_404(schedule_id)
    if request.method == "POST":
        service.delete_schedule(schedule, current_user)
        flash(_("The schedule was deleted."), "success")
        return redirect(url_for("schedules.index"))
    return render_template("schedules/delete.html", schedule=schedule, description=describe(schedule.cron))


@bp.post("/schedules/<int:schedule_id>/run")
@role_required(*MANAGERS)
def run(schedule_id: int):
    """지금 실행: generate the last complete period now and e-mail it like a scheduled run."""
    schedule = readable_schedule_or_404(schedule_id)
    try:
        run_now(schedule, current_user)
    except QueueUnavailable as exc:  # no run was stored: the page says why, the button is still there
        return render_template("schedules/detail.html", banner=exc.message, **_detail_context(schedule, 1)), 503
    flash(_("The report is being generated; it will be e-mailed when it is ready."), "success")
    return redirect(url_for("schedules.detail", schedule_id=schedule.id))


@bp.route("/admin/outbox")
@role_required(*ADMIN)
def outbox_index():
    """The e-mails written to the outbox folder (embedded mode), the tenant's only."""
    messages = outbox.list_messages(current_user.tenant.slug)
    return render_template("schedules/outbox.html", messages=messages)


@bp.route("/admin/outbox/<path:key>")
@role_required(*ADMIN)
def outbox_message(key: str):
    """One e-mail of the outbox."""
    message = outbox.read_message(key, current_user.tenant.slug)
    if message is None:
        abort(404)
    return render_template("schedules/outbox_message.html", message=message)


@bp.route(links.LINK_PATH + "<token>")
def download_link(token: str):
    """The public signed link: the report's stored bytes, no sign-in; a clear page when refused."""
    try:
        report = links.report_for_token(token)
    except links.LinkRefused as exc:
        status = {"expired": 410, "missing": 404}.get(exc.reason, 400)
        return render_template("schedules/link_refused.html", reason=exc.reason, days=links.max_age().days), status
    response = stored_file_response(report)  # the same file, name and headers as a signed-in download
    response.headers["X-Robots-Tag"] = "noindex"
    return response
