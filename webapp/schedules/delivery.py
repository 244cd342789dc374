"""Delivery: when a report finishes, one e-mail job per recipient with a signed link; retries; owner notices.

Mail goes through Flask-Mailman: SMTP in production, files in instance/outbox/ in embedded
mode (MAIL_BACKEND).  Each EmailDelivery row is unique per report, kind and recipient, so
the same e-mail is never sent twice, however often a finished report is announced.

A run whose link e-mails are all settled with at least one FAILED (every retry used, or the
queue unreachable) becomes DELIVERY_FAILED, and its owner is told twice: by an e-mail notice,
and by an in-app notice — the one that still arrives when mail itself is down.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select, update

from ..extensions import db, mail
from ..i18n import tenant_context
from ..jobs import QueueUnavailable, enqueue, queue_unavailable_message
from ..models import Report, Tenant, User, utcnow
from ..models.schedules import EmailDelivery, ReportSchedule, ScheduleRun
from ..notices.service import notify, path_for
from ..reports.highlights import report_highlights
from ..reports.service import TEMPLATES
from . import links
from .sql import insert_on_conflict

log = logging.getLogger(__name__)

DEFAULT_RETRY_INTERVALS = (60, 300, 1800)
EMPTY_MARKERS = ("created", "resolved", "item_count", "incident_count", "server_count")


def retry_intervals() -> list[int]:
    """Seconds to wait before each retry of a failed send (MAIL_RETRY_INTERVALS), growing."""
    value = current_app.config.get("MAIL_RETRY_INTERVALS") or DEFAULT_RETRY_INTERVALS
    if isinstance(value, str):
        value = [int(part) for part in value.split(",") if part.strip()]
    return [int(v) for v in value]


def max_attempts() -> int:
    """The first try plus one per retry interval."""
    return 1 + len(retry_intervals())


# --- when a report finishes ---------------------------------------------------------------------


def on_report_finished(sender, report_id: int, deliver_to=None, **extra) -> None:
    """report_finished receiver: never lets a delivery problem fail the report job that sent the signal."""
    try:
        finish_run_for_report(report_id, deliver_to)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("delivery for report %s could not be arranged", report_id)


def period_is_empty(report: Report) -> bool:
    """True when the report's summary shows no data at all for the period (every count it has is 0)."""
    summary = report.data_summary or {}
    counts = [summary[key] for key in EMPTY_MARKERS if isinstance(summary.get(key), (int, float))]
    return bool(counts) and not any(counts)


def finish_run_for_report(report_id: int, deliver_to=None) -> list[int]:
    """Record the outcome on the run and queue the e-mails; returns the ids of the deliveries queued."""
    report = db.session.get(Report, report_id)
    if report is None or report.status not in ("DONE", "FAILED"):
        return []
    # The run is linked in the commit that created the report (scheduler.request_batch), before its job ran.
    run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.report_id == report.id)) if report.schedule_id else None
    schedule = db.session.get(ReportSchedule, run.schedule_id) if run is not None else None
    if report.status == "FAILED":
        if run is not None and _close_run(run.id, "FAILED", report.error or "FAILED"):
            notify_owner(run.id)
        return []
    recipients = list(deliver_to or [])
    if schedule is not None:
        if schedule.skip_when_empty and period_is_empty(report):
            _close_run(run.id, "SKIPPED", None)
            return []
        recipients = list(schedule.recipients or []) + recipients
        _close_run(run.id, "DONE", None)
    return queue_deliveries(report.tenant_id, report.id, run.id if run is not None else None, recipients, kind="LINK")


def _close_run(run_id: int, status: str, error: str | None) -> bool:
    """Move a QUEUED run to its final status (once); True when this call did it."""
    result = db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status == "QUEUED")
        .values(status=status, error=error, finished_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def queue_deliveries(tenant_id: int, report_id: int | None, run_id: int | None, recipients: list[str], kind: str) -> list[int]:
    """Insert one delivery per new recipient (duplicates are ignored by the unique constraint) and queue its job.

    When the queue is unreachable the deliveries not queued are FAILED at once (nothing is left
    PENDING forever), which settles the run like a final SMTP failure would.
    """
    seen, rows = set(), []
    for address in recipients:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "run_id": run_id,
                    "report_id": report_id,
                    "kind": kind,
                    "recipient": address.strip(),
                    "status": "PENDING",
                    "attempts": 0,
                    "created_at": utcnow(),
                }
            )
    if not rows:
        return []
    table = EmailDelivery.__table__
    inserted = []
    for row in rows:  # one statement per row: either unique constraint may be the one that refuses it
        result = db.session.execute(insert_on_conflict(table).values(row).on_conflict_do_nothing().returning(table.c.id)).first()
        if result is not None:
            inserted.append(result[0])
    db.session.commit()
    for position, delivery_id in enumerate(inserted):
        try:
            # No fixed job id: the row is new, so this is its only job (and send_delivery_job re-checks the status).
            enqueue(
                send_delivery_job,
                delivery_id,
                retry_intervals=retry_intervals(),
                timeout=max(60, int(current_app.config.get("MAIL_TIMEOUT", 10)) * 3),
            )
        except QueueUnavailable:
            _fail_unqueued(tenant_id, inserted[position:])
            break
    return inserted


def _fail_unqueued(tenant_id: int, delivery_ids: list[int]) -> None:
    """Deliveries whose job could not be queued: FAILED with the queue's message, then the usual aftermath."""
    tenant = db.session.get(Tenant, tenant_id)
    with tenant_context(tenant):
        message = queue_unavailable_message()
    db.session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id.in_(delivery_ids), EmailDelivery.status == "PENDING")
        .values(status="FAILED", last_error=message)
    )
    db.session.commit()
    log.warning("e-mails %s not queued: the job queue is unreachable", delivery_ids)
    for delivery in db.session.scalars(select(EmailDelivery).where(EmailDelivery.id.in_(delivery_ids))).all():
        _after_final(delivery)


def notify_owner(run_id: int) -> list[int]:
    """Tell the schedule's owner (once per run) that the run or its e-mails failed: in the app, and by e-mail."""
    run = db.session.get(ScheduleRun, run_id)
    schedule = db.session.get(ReportSchedule, run.schedule_id) if run is not None else None
    owner = db.session.get(User, schedule.owner_id) if schedule is not None and schedule.owner_id else None
    if owner is None or not owner.active:
        return []
    _notice_in_app(run, schedule, owner)
    if not owner.email:
        return []
    return queue_deliveries(run.tenant_id, run.report_id, run.id, [owner.email], kind="NOTICE")


def _notice_in_app(run: ScheduleRun, schedule: ReportSchedule, owner: User) -> None:
    """The owner's in-app notice of a failed run (once per run)."""
    tenant = db.session.get(Tenant, run.tenant_id)
    with tenant_context(tenant):
        name = schedule.name or _template_name(schedule.template)
        if run.status == "DELIVERY_FAILED":
            kind = "DELIVERY_FAILED"
            counts = delivery_summary(db.session.scalars(select(EmailDelivery).where(EmailDelivery.run_id == run.id)).all())
            message = _(
                "The scheduled report “%(name)s” was built, but %(failed)s of its %(total)s e-mails could not be sent.",
                name=name,
                failed=counts["FAILED"],
                total=sum(counts.values()),
            )
        else:
            kind = "RUN_FAILED"
            message = _("The scheduled report “%(name)s” could not be generated: %(error)s", name=name, error=run.error or "")
    notify(
        run.tenant_id, owner.id, kind, message, link=path_for("schedules.detail", schedule_id=schedule.id), key=f"run-{run.id}"
    )


def settle_run_delivery(run_id: int) -> bool:
    """Once no link e-mail of a DONE run is pending and one has failed for good, mark the run DELIVERY_FAILED
    and tell its owner; True when this call did it (it happens once, whichever e-mail settles last)."""
    counts = dict(
        db.session.execute(
            select(EmailDelivery.status, func.count())
            .where(EmailDelivery.run_id == run_id, EmailDelivery.kind == "LINK")
            .group_by(EmailDelivery.status)
        ).all()
    )
    if counts.get("PENDING") or not counts.get("FAILED"):
        return False
    run = db.session.get(ScheduleRun, run_id)
    if run is None:
        return False
    with tenant_context(db.session.get(Tenant, run.tenant_id)):
        error = _("%(failed)s of %(total)s e-mails could not be sent.", failed=counts["FAILED"], total=sum(counts.values()))
    changed = db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status == "DONE")
        .values(status="DELIVERY_FAILED", error=error)
    ).rowcount
    db.session.commit()
    if changed:
        notify_owner(run_id)
    return changed == 1


# --- sending -------------------------------------------------------------------------------------


def send_delivery_job(delivery_id: int) -> str | None:
    """Send one e-mail; raise to let the queue retry, or record FAILED after the last attempt."""
    delivery = db.session.get(EmailDelivery, delivery_id)
    if delivery is None or delivery.status != "PENDING":
        return getattr(delivery, "status", None)
    delivery.attempts += 1
    db.session.commit()
    try:
        build_message(delivery).send()
    except Exception as exc:  # noqa: BLE001 — SMTP errors of every kind count as a failed attempt
        delivery.last_error = (str(exc) or type(exc).__name__)[:1000]
        final = delivery.attempts >= max_attempts()
        if final:
            delivery.status = "FAILED"
        db.session.commit()
        log.warning(
            "e-mail %s to %s failed (attempt %s%s): %s",
            delivery.id,
            delivery.recipient,
            delivery.attempts,
            ", final" if final else "",
            delivery.last_error,
        )
        if not final:
            raise
        _after_final(delivery)
        return "FAILED"
    delivery.status, delivery.sent_at, delivery.last_error = "SENT", utcnow(), None
    db.session.commit()
    _after_final(delivery)
    return "SENT"


def _after_final(delivery: EmailDelivery) -> None:
    """A link e-mail is settled (SENT or FAILED for good): settle its run, or tell whoever asked for an on-demand
    report that its e-mail failed.  Notices never cascade: a failed notice e-mail only stays visible in the history."""
    if delivery.kind != "LINK":
        return
    if delivery.run_id is not None:
        settle_run_delivery(delivery.run_id)
    elif delivery.status == "FAILED" and delivery.report_id is not None:
        _notice_requester(delivery)


def _notice_requester(delivery: EmailDelivery) -> None:
    """In-app notice to the user who generated a report "with e-mail" when that e-mail could not be sent."""
    report = db.session.get(Report, delivery.report_id)
    user = db.session.get(User, report.generated_by_id) if report is not None and report.generated_by_id else None
    if user is None or not user.active:
        return
    with tenant_context(db.session.get(Tenant, delivery.tenant_id)):
        message = _(
            "The e-mail with the report “%(name)s” (%(start)s ~ %(end)s) to %(recipient)s could not be sent: %(error)s",
            name=_template_name(report.template),
            start=report.period_start,
            end=report.period_end,
            recipient=delivery.recipient,
            error=delivery.last_error or "",
        )
    notify(
        delivery.tenant_id,
        user.id,
        "EMAIL_FAILED",
        message,
        link=path_for("reports.detail", report_id=report.id),
        key=f"delivery-{delivery.id}",
    )


def build_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The e-mail of one delivery, written in the tenant's language."""
    tenant = db.session.get(Tenant, delivery.tenant_id)
    report = db.session.get(Report, delivery.report_id) if delivery.report_id else None
    run = db.session.get(ScheduleRun, delivery.run_id) if delivery.run_id else None
    schedule = db.session.get(ReportSchedule, run.schedule_id) if run is not None else None
    with tenant_context(tenant):
        context = {
            "tenant": tenant,
            "report": report,
            "run": run,
            "schedule": schedule,
            "template_name": _template_name(report.template if report else schedule.template if schedule else ""),
            "base_url": current_app.config["BASE_URL"].rstrip("/"),
        }
        if delivery.kind == "LINK":
            issued = utcnow()
            context.update(
                link=links.report_link(report, issued),
                expires_at=links.link_expires_at(issued),
                highlights=report_highlights(report, tenant.currency),
            )
            subject = _(
                "[%(tenant)s] %(template)s (%(start)s ~ %(end)s)",
                tenant=tenant.name,
                template=context["template_name"],
                start=report.period_start,
                end=report.period_end,
            )
            name = "report_link"
        else:
            context["failed"] = db.session.scalars(
                select(EmailDelivery).where(
                    EmailDelivery.run_id == delivery.run_id, EmailDelivery.kind == "LINK", EmailDelivery.status == "FAILED"
                )
            ).all()
            subject = _(
                "[%(tenant)s] A scheduled report needs attention: %(template)s",
                tenant=tenant.name,
                template=context["template_name"],
            )
            name = "notice"
        text = render_template(f"schedules/email/{name}.txt", **context)
        html = render_template(f"schedules/email/{name}.html", **context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[delivery.recipient],
        headers={"X-Tenant": tenant.slug, "X-Delivery-Id": str(delivery.id)},
        connection=mail.get_connection(),
    )
    message.attach_alternative(html, "text/html")
    return message


def _template_name(code: str) -> str:
    """The template's name in the current language."""
    return str(TEMPLATES[code].label) if code in TEMPLATES else code


def delivery_summary(deliveries: list[EmailDelivery]) -> dict[str, int]:
    """Counts of link e-mails by status, for the history row."""
    counts = {"SENT": 0, "PENDING": 0, "FAILED": 0}
    for delivery in deliveries:
        if delivery.kind == "LINK":
            counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts
