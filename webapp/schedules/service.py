"""Schedules as a domain: validate input, create, change, pause, delete, run now — used by pages and API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from ..audit import record
from ..extensions import db
from ..models import Report, Tenant, User, utcnow
from ..models.schedules import EmailDelivery, ReportSchedule, ScheduleRun
from ..recipients import parse_recipients
from ..reports.access import check_template_access
from ..reports.service import ReportRequestError, check_format, get_template
from ..validation import CODE_TEXT_MAX, InvalidParameter, check_text, check_timezone
from . import cron

NAME_MAX, CRON_MAX, ZONE_MAX = 200, 120, 64  # the columns are String(200), String(120), String(64)
EDITABLE = ("name", "template", "cron", "timezone", "format", "recipients", "active", "skip_when_empty")


class ScheduleInputError(ValueError):
    """Input that cannot be stored; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class ScheduleInput:
    """Validated schedule fields."""

    template: str
    cron: str
    timezone: str
    format: str
    recipients: list[str]
    name: str = ""
    active: bool = True
    skip_when_empty: bool = False


def cron_error(expression: str) -> str | None:
    """A message naming what is wrong with a cron expression, or None when it is valid."""
    try:
        cron.parse(expression)
    except cron.CronError as exc:
        if exc.field is None:
            return _("Cron: enter 5 fields separated by spaces (minute hour day-of-month month day-of-week), e.g. '0 9 * * 1'.")
        names = (_("minute"), _("hour"), _("day of month"), _("month"), _("day of week"))
        low, high = cron.FIELD_RANGES[exc.field]
        return _(
            "Cron: the %(field)s field is not valid (allowed: *, numbers %(low)s–%(high)s, ranges a-b, lists a,b and steps */n).",
            field=names[exc.field],
            low=low,
            high=high,
        )
    return None


def zone_error(name: str) -> str | None:
    """A message when the time zone is unknown (webapp.validation.check_timezone), else None."""
    try:
        check_timezone(name)
    except InvalidParameter as refused:
        return refused.message
    return None


def _text(errors: dict[str, str], field: str, raw, max_length: int, default: str = "") -> str:
    """check_text, collecting its refusal into `errors` (every field is checked at once)."""
    try:
        return check_text(field, raw, max_length=max_length, default=default)
    except InvalidParameter as exc:
        errors[field] = exc.message
        return default


def validate(data: dict, user=None) -> ScheduleInput:
    """Check every field at once; ScheduleInputError lists each problem by field.

    With a user, a template that user's role may not use is refused with 403 (as generating it would be).
    """
    errors: dict[str, str] = {}
    template = _text(errors, "template", data.get("template"), CODE_TEXT_MAX)
    if user is not None and "template" not in errors:
        check_template_access(template, user)
    name = _text(errors, "name", data.get("name"), NAME_MAX)
    fmt = _text(errors, "format", data.get("format"), CODE_TEXT_MAX, default="excel").lower()
    expression = _text(errors, "cron", data.get("cron"), CRON_MAX)
    zone = _text(errors, "timezone", data.get("timezone"), ZONE_MAX)
    if "template" not in errors and "format" not in errors:
        try:  # the same template and format rules (and messages) as generating a report now
            check_format(get_template(template), fmt)
        except ReportRequestError as exc:
            errors[exc.field] = str(exc)
    if "cron" not in errors and (message := cron_error(expression)):
        errors["cron"] = message
    if "timezone" not in errors and (message := zone_error(zone)):
        errors["timezone"] = message
    recipients, message = parse_recipients(data.get("recipients"))
    if message:
        errors["recipients"] = message
    if errors:
        raise ScheduleInputError(errors)
    return ScheduleInput(
        template=template,
        cron=cron.normalise(expression),
        timezone=zone,
        format=fmt,
        recipients=recipients,
        name=name,
        active=bool(data.get("active", True)),
        skip_when_empty=bool(data.get("skip_when_empty", False)),
    )


def next_run_after(schedule: ReportSchedule, after: datetime | None = None) -> datetime | None:
    """When an active schedule fires next (None while paused)."""
    if not schedule.active:
        return None
    return cron.next_fire(schedule.cron, schedule.timezone, after or utcnow())


def create_schedule(tenant: Tenant, owner: User | None, data: dict) -> ReportSchedule:
    """Store a new schedule (committed) with its first run time; ScheduleInputError on bad input."""
    clean = validate(data, owner)
    schedule = ReportSchedule(
        tenant_id=tenant.id, owner_id=getattr(owner, "id", None), **{name: getattr(clean, name) for name in EDITABLE}
    )
    schedule.next_run_at = next_run_after(schedule)
    db.session.add(schedule)
    db.session.flush()
    record(
        "create",
        "report_schedule",
        schedule.id,
        user=owner,
        tenant_id=tenant.id,
        template=schedule.template,
        cron=schedule.cron,
        timezone=schedule.timezone,
        format=schedule.format,
        recipients=schedule.recipients,
    )
    db.session.commit()
    return schedule


def update_schedule(schedule: ReportSchedule, user: User | None, data: dict) -> ReportSchedule:
    """Change a schedule (committed); the next run is recomputed from now."""
    clean = validate(data, user)
    changes = {name: getattr(clean, name) for name in EDITABLE if getattr(schedule, name) != getattr(clean, name)}
    for name, value in changes.items():
        setattr(schedule, name, value)
    schedule.next_run_at = next_run_after(schedule)
    record("update", "report_schedule", schedule.id, user=user, tenant_id=schedule.tenant_id, **changes)
    db.session.commit()
    return schedule


def set_active(schedule: ReportSchedule, user: User | None, active: bool) -> ReportSchedule:
    """Pause or resume; resuming starts from the next slot after now (no catch-up for the pause)."""
    schedule.active = active
    schedule.next_run_at = next_run_after(schedule)
    record("resume" if active else "pause", "report_schedule", schedule.id, user=user, tenant_id=schedule.tenant_id)
    db.session.commit()
    return schedule


def delete_schedule(schedule: ReportSchedule, user: User | None) -> None:
    """Delete the schedule and its run history; the reports it produced stay (their schedule link is cleared)."""
    schedule_id, tenant_id = schedule.id, schedule.tenant_id
    run_ids = select(ScheduleRun.id).where(ScheduleRun.schedule_id == schedule_id)
    db.session.execute(delete(EmailDelivery).where(EmailDelivery.run_id.in_(run_ids)))
    db.session.execute(delete(ScheduleRun).where(ScheduleRun.schedule_id == schedule_id))
    db.session.execute(update(Report).where(Report.schedule_id == schedule_id).values(schedule_id=None))
    db.session.delete(schedule)
    record(
        "delete", "report_schedule", schedule_id, user=user, tenant_id=tenant_id, template=schedule.template, cron=schedule.cron
    )
    db.session.commit()


def last_runs(schedule_ids: list[int]) -> dict[int, ScheduleRun]:
    """The newest run of each schedule (one query)."""
    if not schedule_ids:
        return {}
    newest = (
        select(ScheduleRun.schedule_id, func.max(ScheduleRun.id).label("run_id"))
        .where(ScheduleRun.schedule_id.in_(schedule_ids))
        .group_by(ScheduleRun.schedule_id)
        .subquery()
    )
    runs = db.session.scalars(select(ScheduleRun).join(newest, ScheduleRun.id == newest.c.run_id))
    return {run.schedule_id: run for run in runs}


def deliveries_by_run(run_ids: list[int]) -> dict[int, list[EmailDelivery]]:
    """The e-mails of each run, for the history."""
    grouped: dict[int, list[EmailDelivery]] = {run_id: [] for run_id in run_ids}
    if run_ids:
        for delivery in db.session.scalars(
            select(EmailDelivery).where(EmailDelivery.run_id.in_(run_ids)).order_by(EmailDelivery.kind, EmailDelivery.recipient)
        ):
            grouped[delivery.run_id].append(delivery)
    return grouped
