"""Starting a run outside the cron slots: "지금 실행" (run now)."""
from __future__ import annotations

from ..extensions import db
from ..models import Tenant, utcnow
from ..models.schedules import ReportSchedule, ScheduleRun
from .scheduler import Claim, link_reports, manual_job_id, start_run


def run_now(schedule: ReportSchedule, user=None) -> ScheduleRun:
    """Create a MANUAL run for now and request its report (the last complete period, like a cron run)."""
    from ..audit import record

    now = utcnow()
    run = ScheduleRun(tenant_id=schedule.tenant_id, schedule_id=schedule.id, scheduled_for=now, trigger="MANUAL",
                      status="QUEUED", created_at=now, started_at=now)
    db.session.add(run)
    db.session.flush()
    record("run", "report_schedule", schedule.id, user=user, tenant_id=schedule.tenant_id, run_id=run.id)
    db.session.commit()
    tenant = db.session.get(Tenant, schedule.tenant_id)
    claim = Claim(run.id, schedule.id, schedule.tenant_id, schedule.owner_id, schedule.template, schedule.format,
                  schedule.timezone, now)
    report_id = start_run(claim, tenant, schedule.owner, manual_job_id(schedule.id, run.id))
    if report_id is not None:
        link_reports([(run.id, report_id)])
    db.session.refresh(run)
    return run
