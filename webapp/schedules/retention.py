"""The daily retention purge: reports, runs, e-mail records and notices past each tenant's retention, and ended sign-in sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update

from ..audit import record
from ..auth.sessions import purge_ended_sessions
from ..extensions import db
from ..models import Notice, Report, Tenant, utcnow
from ..models.schedules import EmailDelivery, ScheduleRun
from ..reports.service import purge_expired_reports


def purge_expired(now: datetime | None = None) -> dict:
    """Delete what is older than report_retention_days (per tenant); returns the counts removed."""
    now = now or utcnow()
    totals = {"runs": 0, "deliveries": 0, "reports": 0, "notices": 0}
    for tenant in db.session.scalars(select(Tenant)).all():
        days = int(tenant.setting("report_retention_days") or 365)
        cutoff = now - timedelta(days=days)
        old_runs = select(ScheduleRun.id).where(ScheduleRun.tenant_id == tenant.id, ScheduleRun.created_at < cutoff)
        deliveries = db.session.execute(
            delete(EmailDelivery).where(
                EmailDelivery.tenant_id == tenant.id, (EmailDelivery.created_at < cutoff) | EmailDelivery.run_id.in_(old_runs)
            )
        ).rowcount
        runs = db.session.execute(
            delete(ScheduleRun).where(ScheduleRun.tenant_id == tenant.id, ScheduleRun.created_at < cutoff)
        ).rowcount
        notices = db.session.execute(delete(Notice).where(Notice.tenant_id == tenant.id, Notice.created_at < cutoff)).rowcount
        if runs or deliveries:
            record("purge", "schedule_run", None, tenant_id=tenant.id, runs=runs, deliveries=deliveries, retention_days=days)
        db.session.commit()
        totals["runs"] += runs
        totals["deliveries"] += deliveries
        totals["notices"] += notices
    totals["reports"] = purge_expired_reports(now)
    totals["sessions"] = purge_ended_sessions(now)
    # SQLite does not enforce ON DELETE SET NULL/CASCADE: clear what pointed at purged reports.
    gone = ~exists(select(Report.id).where(Report.id == ScheduleRun.report_id))
    db.session.execute(update(ScheduleRun).where(ScheduleRun.report_id.is_not(None), gone).values(report_id=None))
    db.session.execute(
        delete(EmailDelivery).where(
            EmailDelivery.report_id.is_not(None), ~exists(select(Report.id).where(Report.id == EmailDelivery.report_id))
        )
    )
    db.session.commit()
    return totals
