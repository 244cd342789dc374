"""Starting a run outside the cron slots: "지금 실행" (run now)."""

from __future__ import annotations

from ..audit import record
from ..extensions import db
from ..jobs import QueueUnavailable
from ..models import utcnow
from ..models.schedules import ReportSchedule, ScheduleRun
from .scheduler import Claim, manual_job_id, request_batch


def run_now(schedule: ReportSchedule, user=None) -> ScheduleRun:
    """Create a MANUAL run for now and request its report the way the scheduler does (the last complete period).

    Raises QueueUnavailable when the job cannot be queued; the run and its report are then
    withdrawn, so the history shows nothing that will never happen.
    """
    now = utcnow()
    run = ScheduleRun(
        tenant_id=schedule.tenant_id,
        schedule_id=schedule.id,
        scheduled_for=now,
        trigger="MANUAL",
        status="QUEUED",
        created_at=now,
        started_at=now,
    )
    db.session.add(run)
    db.session.commit()
    claim = Claim(
        run.id,
        schedule.id,
        schedule.tenant_id,
        schedule.owner_id,
        schedule.template,
        schedule.format,
        schedule.timezone,
        now,
        manual_job_id(schedule.id, run.id),
        trigger="MANUAL",
    )
    outcome = request_batch([claim], now)
    if outcome.withdrawn:
        raise QueueUnavailable(f"run now of schedule {schedule.id}")
    record("run", "report_schedule", schedule.id, user=user, tenant_id=schedule.tenant_id, run_id=run.id)
    db.session.commit()
    db.session.refresh(run)
    return run
