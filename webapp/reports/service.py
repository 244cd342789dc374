"""The life of a report (SPEC §5.4): request → QUEUED → job → RUNNING → DONE (immutable file) or FAILED.

Other areas use exactly these functions:
  TEMPLATES, default_period(), last_complete_period(), request_report(), retry_report(), queued_report_values()
  (the scheduler's batch insert), generate_report_job(), report_time_limit(), sweep_stuck_reports(),
  purge_expired_reports(), and the `report_finished` signal (webapp.reports.signals).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..audit import record
from ..extensions import db
from ..i18n import tenant_context
from ..jobs import QueueUnavailable, enqueue
from ..models import AuditLog, Report, Tenant, utcnow
from ..recipients import parse_recipients
from ..validation import YEAR_MAX, YEAR_MIN, InvalidParameter, check_iso_date, year_range_message
from .access import check_template_access
from .periods import period_default, period_last_complete
from .registry import FORMATS, TEMPLATES, ReportTemplate
from .signals import report_finished

log = logging.getLogger(__name__)

OUTCOME_WRITE_PAUSES = (1, 2, 4, 8, 15, None)  # seconds between attempts to store the outcome while the database restarts

__all__ = [
    "TEMPLATES",
    "FORMATS",
    "ReportRequestError",
    "ReportRequest",
    "check_request",
    "default_period",
    "last_complete_period",
    "request_report",
    "build_report",
    "retry_report",
    "delete_report",
    "generate_report_job",
    "sweep_stuck_reports",
    "purge_expired_reports",
    "report_time_limit",
    "get_template",
    "parse_period",
]


class ReportRequestError(ValueError):
    """A report request that cannot be accepted; the message names the field and the allowed values."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- templates and periods ---------------------------------------------------------------------


def get_template(template_code: str) -> ReportTemplate:
    """The template with this code, or ReportRequestError naming the allowed codes."""
    template = TEMPLATES.get(template_code or "")
    if template is None:
        raise ReportRequestError(
            _(
                "Unknown template '%(code)s'. Allowed values: %(allowed)s.",
                code=template_code or "",
                allowed=", ".join(TEMPLATES),
            ),
            field="template",
        )
    return template


def check_format(template: ReportTemplate, fmt: str) -> None:
    """Refuse a format the template does not offer, naming the formats it does offer."""
    if fmt not in FORMATS:
        raise ReportRequestError(
            _("Unknown format '%(format)s'. Allowed values: %(allowed)s.", format=fmt or "", allowed=", ".join(FORMATS)),
            field="format",
        )
    if not template.offers(fmt):
        raise ReportRequestError(
            _(
                "The template %(code)s is not offered as %(format)s. Allowed values: %(allowed)s.",
                code=template.code,
                format=fmt,
                allowed=", ".join(template.formats),
            ),
            field="format",
        )


def default_period(template_code: str, today: date | datetime) -> tuple[date, date]:
    """The on-demand period of the template for `today` (SPEC §5.2)."""
    return period_default(get_template(template_code).period, today)


def last_complete_period(template_code: str, run_date: date | datetime) -> tuple[date, date]:
    """The last complete period before `run_date` (scheduled runs)."""
    return period_last_complete(get_template(template_code).period, run_date)


def parse_period(template_code: str, start_text, end_text, today: date) -> tuple[date, date]:
    """Dates from 'YYYY-MM-DD' texts (years 2000–2100), or the template's default when both are absent or empty.

    Anything but text (true, 1, [], {}) is refused rather than read as "absent".
    """
    if _absent(start_text) and _absent(end_text):
        return default_period(template_code, today)
    values = []
    for field, text in (("period_start", start_text), ("period_end", end_text)):
        message = _("%(field)s: enter a date as YYYY-MM-DD (both dates, or neither for the default period).", field=field)
        try:
            values.append(check_iso_date(field, text, message))
        except InvalidParameter as exc:
            raise ReportRequestError(exc.message, field=field) from None
    return values[0], values[1]


def _absent(value) -> bool:
    """None or an empty text: the period date was not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def check_period(period_start: date, period_end: date) -> None:
    """Both dates in 2000–2100, and the start not after the end."""
    for field, value in (("period_start", period_start), ("period_end", period_end)):
        if not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ReportRequestError(year_range_message(field), field=field)
    if period_start > period_end:
        raise ReportRequestError(
            _(
                "The period start (%(start)s) is after its end (%(end)s).",
                start=period_start.isoformat(),
                end=period_end.isoformat(),
            ),
            field="period_start",
        )


@dataclass(frozen=True)
class ReportRequest:
    """A checked request for one report: what to build, and whom to e-mail the link (None: nobody)."""

    template: ReportTemplate
    start: date
    end: date
    fmt: str
    deliver_to: list[str] | None = None


def check_request(
    user,
    template_code: str,
    fmt: str,
    start: date | str | None,
    end: date | str | None,
    today: date,
    *,
    send_email: bool = False,
    recipients=None,
) -> ReportRequest:
    """The one check of a report request, for the report page and the API alike.

    In this order: the template exists, the user's role may use it (403 naming the roles), it is offered
    in the format, the period (two dates or 'YYYY-MM-DD' texts; neither means the template's default) is
    valid, and, when the link is to be e-mailed, the recipients. Raises ReportRequestError naming the field.
    """
    template = get_template(template_code)
    check_template_access(template, user)
    check_format(template, fmt)
    if isinstance(start, date) and isinstance(end, date):
        period = (start, end)
    else:
        period = parse_period(template.code, start, end, today)
    check_period(*period)
    deliver_to = None
    if send_email:
        deliver_to, error = parse_recipients(recipients)
        if error:
            raise ReportRequestError(error, field="email")
    return ReportRequest(template, period[0], period[1], fmt, deliver_to)


# --- request and build -------------------------------------------------------------------------


def report_time_limit(app=None) -> int:
    """Seconds a report job may run before RQ stops it and the sweep fails it."""
    app = app or current_app
    return int(app.config.get("REPORT_JOB_TIMEOUT") or app.config["JOB_TIMEOUT"])


def queued_report_values(
    tenant_id: int,
    template_code: str,
    period_start: date,
    period_end: date,
    fmt: str,
    *,
    generated_by_id: int | None = None,
    schedule_id: int | None = None,
    **extra,
) -> dict:
    """Check a report request and return the column values of its QUEUED row.

    The one place that turns a request into a row: request_report() and the scheduler's
    batch insert both use it.  Raises ReportRequestError like request_report().
    """
    template = get_template(template_code)
    check_format(template, fmt)
    check_period(period_start, period_end)
    return {
        "tenant_id": tenant_id,
        "template": template.code,
        "period_start": period_start,
        "period_end": period_end,
        "format": fmt,
        "status": "QUEUED",
        "generated_by_id": generated_by_id,
        "schedule_id": schedule_id,
        **extra,
    }


def request_report(
    tenant: Tenant,
    template_code: str,
    period_start: date,
    period_end: date,
    fmt: str,
    user=None,
    deliver_to: list[str] | None = None,
    **audit_details,
) -> Report:
    """Validate, store the QUEUED row (committed), and enqueue the job that builds it (and e-mails `deliver_to`).

    Raises ReportRequestError for an unknown template or format, or a start after the end, and
    QueueUnavailable when the queue cannot be reached: then the row is withdrawn again, so
    nothing is left half-stored (no report, no audit entry).
    """
    report = Report(
        **queued_report_values(tenant.id, template_code, period_start, period_end, fmt, generated_by_id=getattr(user, "id", None))
    )
    db.session.add(report)
    db.session.flush()
    report.job_id = f"report-{report.id}-{uuid.uuid4().hex[:8]}"
    record(
        "create",
        "report",
        report.id,
        user=user,
        tenant_id=tenant.id,
        template=report.template,
        format=fmt,
        period=f"{period_start}~{period_end}",
        **audit_details,
    )
    db.session.commit()  # the job reads the row, so it is committed before the job is queued
    try:
        enqueue(
            generate_report_job,
            report.id,
            list(deliver_to) if deliver_to else None,
            job_id=report.job_id,
            timeout=report_time_limit(),
        )
    except QueueUnavailable:
        if _withdraw_queued(report):
            raise
        # Not QUEUED any more: the job did reach the queue (Redis timed out after taking it) and has started.
    return report


def _withdraw_queued(report: Report) -> bool:
    """Delete a report whose job could not be queued, with its audit entry, unless a worker has already started it.

    True when it was deleted.  The creation never took effect, so the audit trail does not claim it did.
    """
    deleted = db.session.execute(delete(Report).where(Report.id == report.id, Report.status == "QUEUED")).rowcount
    if deleted:
        db.session.execute(
            delete(AuditLog).where(AuditLog.entity == "report", AuditLog.entity_id == str(report.id), AuditLog.action == "create")
        )
    db.session.commit()  # the ORM delete also takes the object out of the session
    return deleted == 1


def retry_report(report: Report, user=None) -> Report:
    """A new report with the FAILED one's template, period and format (the failed row stays as history).

    Raises ReportRequestError when the report did not fail, and QueueUnavailable like request_report().
    """
    if report.status != "FAILED":
        raise ReportRequestError(
            _("Only a failed report can be generated again (this one is %(status)s).", status=report.status), field="status"
        )
    tenant = db.session.get(Tenant, report.tenant_id)
    return request_report(
        tenant, report.template, report.period_start, report.period_end, report.format, user=user, retry_of=report.id
    )


def delete_report(report: Report, user) -> None:
    """Delete a report with its stored file (ADMIN), audited with what it was.

    Its e-mail delivery rows go with it; a schedule run that produced it keeps its history without the report.
    A QUEUED or RUNNING report is deleted too: its job finds no row and ends.
    """
    from ..models.schedules import EmailDelivery, ScheduleRun

    record(
        "delete",
        "report",
        report.id,
        user=user,
        tenant_id=report.tenant_id,
        template=report.template,
        format=report.format,
        period=f"{report.period_start}~{report.period_end}",
        status=report.status,
        file_name=report.file_name,
        size=report.size,
        sha256=report.sha256,
    )
    db.session.execute(delete(EmailDelivery).where(EmailDelivery.report_id == report.id))
    db.session.execute(update(ScheduleRun).where(ScheduleRun.report_id == report.id).values(report_id=None))
    db.session.execute(delete(Report).where(Report.id == report.id, Report.tenant_id == report.tenant_id))
    db.session.commit()


def _set_status(report_id: int, from_status: str, **values) -> bool:
    """Move the report on only if it is still in `from_status` (the sweep may have failed it)."""
    result = db.session.execute(update(Report).where(Report.id == report_id, Report.status == from_status).values(**values))
    db.session.commit()
    return result.rowcount == 1


def _user_message(exc: BaseException) -> str:
    """What the user sees when building failed (the traceback, with the driver's own text, goes to the log)."""
    from rq.timeouts import JobTimeoutException

    if isinstance(exc, JobTimeoutException):
        return _("The report took longer than the time limit (%(seconds)s s) and was stopped.", seconds=report_time_limit())
    if _is_database_outage(exc):
        return _(
            "The database connection was lost while the report was being built (the database may have restarted). "
            "Please use “Generate again”."
        )
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    return _("The report could not be built: %(detail)s", detail=detail)


def _is_database_outage(exc: BaseException) -> bool:
    """True for a lost or refused database connection (e.g. PostgreSQL restarted), as SQLAlchemy or the driver raised it."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError

    if isinstance(exc, SQLAlchemyOperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return True
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def _store_outcome(report_id: int, **values) -> bool:
    """Move a RUNNING report to DONE or FAILED, waiting out a database that is still restarting (about 30 s).

    Without the wait, a report whose build was cut off by a database restart would stay RUNNING
    until the sweep, and then show the sweep's "worker stopped" message instead of the real cause.
    """
    from sqlalchemy.exc import OperationalError

    for pause in OUTCOME_WRITE_PAUSES:
        try:
            return _set_status(report_id, "RUNNING", **values)
        except OperationalError:
            db.session.rollback()
            if pause is None:
                raise
            log.warning("report %s: the database is unreachable; storing its outcome again in %s s", report_id, pause)
            time.sleep(pause)
    return False


def build_report(report_id: int) -> Report | None:
    """Build a QUEUED report synchronously: RUNNING, then DONE with the stored file or FAILED with the error."""
    from .render import render_report

    report = db.session.get(Report, report_id)
    if report is None:
        log.warning("report %s does not exist", report_id)
        return None
    if not _set_status(report_id, "QUEUED", status="RUNNING", started_at=utcnow(), error=None):
        db.session.refresh(report)
        log.info("report %s is %s, not QUEUED: not built again", report_id, report.status)
        return report
    db.session.refresh(report)
    tenant = db.session.get(Tenant, report.tenant_id)
    # Plain values: after a lost connection the ORM objects cannot be reloaded to describe the failure.
    template, fmt, start, end, locale = report.template, report.format, report.period_start, report.period_end, tenant.locale
    try:
        with tenant_context(tenant):
            built = render_report(tenant, template, start, end, fmt)
    except Exception as exc:  # noqa: BLE001 — any failure must end in FAILED, never a stuck row
        db.session.rollback()
        log.exception("report %s (%s %s %s~%s) failed", report_id, template, fmt, start, end)
        with force_locale(locale):
            message = _user_message(exc)
        if not _store_outcome(report_id, status="FAILED", error=message, finished_at=utcnow()):
            log.warning("report %s was no longer RUNNING when it failed", report_id)
    else:
        stored = _store_outcome(
            report_id,
            status="DONE",
            content=built.content,
            size=len(built.content),
            sha256=hashlib.sha256(built.content).hexdigest(),
            file_name=built.file_name,
            content_type=built.content_type,
            data_summary=built.data_summary,
            finished_at=utcnow(),
            error=None,
        )
        if not stored:
            log.warning("report %s was failed by the sweep before it finished; the file was discarded", report_id)
    db.session.expire_all()
    return db.session.get(Report, report_id)


def generate_report_job(report_id: int, deliver_to: list[str] | None = None) -> str | None:
    """The background job: build the report, then announce it (DONE or FAILED) with report_finished."""
    report = build_report(report_id)
    if report is None:
        return None
    if report.status in ("DONE", "FAILED"):
        report_finished.send(current_app._get_current_object(), report_id=report_id, deliver_to=deliver_to)
    return report.status


# --- hygiene -----------------------------------------------------------------------------------


def _job_is_gone(job_id: str | None) -> bool:
    """True when the queue no longer holds a live job with this id (it failed, was stopped, or vanished)."""
    app = current_app._get_current_object()
    if not job_id:
        return True
    if not app.config.get("REDIS_URL"):
        from ..jobs import embedded_runner

        future = embedded_runner(app).futures.get(job_id)
        return future is None or future.done()
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from ..jobs import redis_connection

    try:
        status = Job.fetch(job_id, connection=redis_connection(app)).get_status(refresh=True)
    except NoSuchJobError:
        return True
    except (RedisConnectionError, RedisTimeoutError):
        return False  # Redis is down: the job may well be waiting there, so it is not declared lost
    return str(getattr(status, "value", status)) in ("failed", "stopped", "canceled")


def sweep_stuck_reports(now: datetime | None = None) -> int:
    """Fail reports that can no longer finish; returns how many were failed.

    RUNNING longer than the time limit (plus REPORT_SWEEP_GRACE seconds): the worker died
    or was killed.  QUEUED for longer than the grace whose job is gone from the queue: it
    will never start.  Each failed report is announced with report_finished.
    """
    app = current_app._get_current_object()
    now = now or utcnow()
    limit = report_time_limit(app)
    grace = int(app.config.get("REPORT_SWEEP_GRACE", 30))
    running_cutoff = now - timedelta(seconds=limit + grace)
    queued_cutoff = now - timedelta(seconds=max(grace, 60) if app.config.get("REDIS_URL") else limit + grace)
    stuck = db.session.execute(
        select(Report.id, Report.status, Report.job_id, Report.tenant_id).where(
            ((Report.status == "RUNNING") & (Report.started_at < running_cutoff))
            | ((Report.status == "QUEUED") & (Report.created_at < queued_cutoff))
        )
    ).all()
    failed = []
    for report_id, status, job_id, tenant_id in stuck:
        if status == "QUEUED" and not _job_is_gone(job_id):
            continue  # still waiting in a busy queue
        tenant = db.session.get(Tenant, tenant_id)
        with tenant_context(tenant):
            message = (
                _(
                    "The report job stopped without finishing (the worker ended or the %(seconds)s s time limit passed). Please generate it again.",
                    seconds=limit,
                )
                if status == "RUNNING"
                else _("The report job was lost from the queue before it started. Please generate it again.")
            )
        if _set_status(report_id, status, status="FAILED", error=message, finished_at=now):
            log.warning("report %s was %s and is now FAILED (stuck)", report_id, status)
            failed.append(report_id)
    for report_id in failed:
        report_finished.send(app, report_id=report_id, deliver_to=None)
    return len(failed)


def purge_expired_reports(now: datetime | None = None) -> int:
    """Delete reports older than each tenant's retention (report_retention_days, default 365)."""
    now = now or utcnow()
    removed = 0
    for tenant in db.session.scalars(select(Tenant)):
        days = int(tenant.setting("report_retention_days"))
        result = db.session.execute(
            delete(Report).where(
                Report.tenant_id == tenant.id,
                Report.created_at < now - timedelta(days=days),
                Report.status.in_(("DONE", "FAILED")),
            )
        )
        if result.rowcount:
            record("purge", "report", None, tenant_id=tenant.id, count=result.rowcount, retention_days=days)
            removed += result.rowcount
        db.session.commit()
    return removed
