"""The scheduler tick: claim each due slot exactly once, then request its report.

Any number of scheduler processes may tick at the same time.  A slot is claimed by inserting
its ScheduleRun row; the UNIQUE(schedule_id, scheduled_for) constraint lets exactly one insert
win (ON CONFLICT DO NOTHING tells the others they lost).  Only the winner requests the report,
whose queue job id is derived from schedule and slot with unique=True as a second guard.

Due rows are read in batches with FOR UPDATE SKIP LOCKED (PostgreSQL), so concurrent
schedulers share the work instead of racing for the same rows; the claim and the advance
of next_run_at commit together in one short transaction per batch.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..jobs import DuplicateJob, enqueue
from ..models import Report, Tenant, utcnow
from ..models.schedules import ReportSchedule, ScheduleRun
from . import cron

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ORPHAN_AFTER = timedelta(minutes=5)  # a claimed run with no report after this long lost its scheduler


@dataclass
class TickResult:
    """What one tick did (printed by `flask scheduler run --once`)."""

    claimed: list[int] = field(default_factory=list)  # run ids this process won
    lost: int = 0  # slots another scheduler had already claimed
    requested: int = 0  # reports requested
    failed: int = 0  # runs that could not request their report
    swept: int = 0  # stuck reports failed by the sweep
    seconds: float = 0.0


def cron_job_id(schedule_id: int, slot: datetime) -> str:
    """The queue job id of a cron slot (stable across processes, so the queue refuses a duplicate)."""
    return f"schedule-{schedule_id}-{slot:%Y%m%dT%H%M}"


def manual_job_id(schedule_id: int, run_id: int) -> str:
    """The queue job id of a "run now"."""
    return f"schedule-{schedule_id}-manual-{run_id}"


def _insert(table):
    """INSERT … ON CONFLICT for the session's database."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


def claim_due_batch(now: datetime, batch_size: int = BATCH_SIZE) -> tuple[int, list[tuple[int, int, datetime]]] | None:
    """Claim the latest due slot of up to `batch_size` schedules; None when nothing is due.

    Returns (rows looked at, [(run_id, schedule_id, slot) won by this process]).
    """
    due = db.session.execute(
        select(ReportSchedule.id, ReportSchedule.tenant_id, ReportSchedule.cron, ReportSchedule.timezone,
               ReportSchedule.next_run_at)
        .where(ReportSchedule.active.is_(True), ReportSchedule.next_run_at <= now)
        .order_by(ReportSchedule.next_run_at, ReportSchedule.id).limit(batch_size)
        .with_for_update(skip_locked=True)).all()
    if not due:
        db.session.commit()
        return None
    runs, advances = [], []
    for schedule_id, tenant_id, expression, zone, next_run_at in due:
        slot = cron.latest_fire(expression, zone, now, next_run_at)  # after downtime: only the latest missed slot
        runs.append({"tenant_id": tenant_id, "schedule_id": schedule_id, "scheduled_for": slot, "trigger": "CRON",
                     "status": "QUEUED", "created_at": now, "started_at": now})
        advances.append({"sid": schedule_id, "slot": slot, "following": cron.next_fire(expression, zone, slot)})
    table = ScheduleRun.__table__
    won = db.session.execute(
        _insert(table).values(runs).on_conflict_do_nothing(index_elements=["schedule_id", "scheduled_for"])
        .returning(table.c.id, table.c.schedule_id, table.c.scheduled_for)).all()
    schedules = ReportSchedule.__table__
    db.session.execute(
        schedules.update()
        .where(schedules.c.id == bindparam("sid"),
               (schedules.c.next_run_at.is_(None)) | (schedules.c.next_run_at < bindparam("following")))
        .values(next_run_at=bindparam("following"), last_run_at=bindparam("slot"), updated_at=schedules.c.updated_at),
        advances)
    db.session.commit()
    return len(due), [(run_id, schedule_id, slot) for run_id, schedule_id, slot in won]


def start_run(run_id: int, schedule: ReportSchedule, tenant: Tenant, slot: datetime, job_id: str) -> Report | None:
    """Request the report of a claimed run (last complete period before the slot, in the schedule's zone)."""
    from ..reports.service import last_complete_period, request_report

    run_date = slot.astimezone(ZoneInfo(schedule.timezone)).date()
    try:
        start, end = last_complete_period(schedule.template, run_date)
        report = request_report(tenant, schedule.template, start, end, schedule.format, user=schedule.owner,
                                schedule_id=schedule.id, job_id=job_id, unique=True)
    except DuplicateJob:
        # The queue already holds this slot's job: someone requested it before us; link what exists.
        db.session.rollback()
        report = db.session.scalar(select(Report).where(Report.job_id == job_id))
        log.warning("schedule %s slot %s: job %s already queued", schedule.id, slot, job_id)
        if report is None:
            fail_run(run_id, f"The queue already holds a job {job_id} that this database does not know.")
            return None
    except Exception as exc:  # noqa: BLE001 — one bad schedule must not stop the others
        db.session.rollback()
        log.exception("schedule %s slot %s: the report could not be requested", schedule.id, slot)
        fail_run(run_id, str(exc) or type(exc).__name__)
        return None
    if report is not None:
        db.session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id, ScheduleRun.report_id.is_(None))
                           .values(report_id=report.id))
        db.session.commit()
    return report


def fail_run(run_id: int, error: str) -> None:
    """Mark a run FAILED with its error and tell the schedule's owner."""
    from .delivery import notify_owner

    db.session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id, ScheduleRun.status == "QUEUED")
                       .values(status="FAILED", error=error[:2000], finished_at=utcnow()))
    db.session.commit()
    notify_owner(run_id)


def tick(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> TickResult:
    """One pass: sweep stuck reports and orphaned runs, then claim and start every due slot."""
    from ..reports.service import sweep_stuck_reports

    started = time.monotonic()
    now = now or utcnow()
    result = TickResult()
    result.swept = _safely(sweep_stuck_reports, now) or 0
    _safely(reconcile_runs, now)
    _safely(enqueue_daily_maintenance, now)
    schedules: dict[int, ReportSchedule] = {}
    tenants: dict[int, Tenant] = {}
    while True:
        batch = claim_due_batch(now, batch_size)
        if batch is None:
            break
        seen, won = batch
        result.lost += seen - len(won)
        _load(schedules, tenants, [schedule_id for _run, schedule_id, _slot in won])
        for run_id, schedule_id, slot in won:
            schedule = schedules[schedule_id]
            result.claimed.append(run_id)
            if start_run(run_id, schedule, tenants[schedule.tenant_id], slot, cron_job_id(schedule_id, slot)):
                result.requested += 1
            else:
                result.failed += 1
        if seen < batch_size:
            break
    result.seconds = time.monotonic() - started
    return result


def _load(schedules: dict, tenants: dict, schedule_ids: list[int]) -> None:
    """Load the won schedules (with owners) and their tenants in a few queries."""
    missing = [i for i in schedule_ids if i not in schedules]
    for start in range(0, len(missing), 900):
        for schedule in db.session.scalars(select(ReportSchedule).where(ReportSchedule.id.in_(missing[start:start + 900]))):
            schedules[schedule.id] = schedule
    tenant_ids = {s.tenant_id for s in schedules.values()} - set(tenants)
    if tenant_ids:
        for tenant in db.session.scalars(select(Tenant).where(Tenant.id.in_(tenant_ids))):
            tenants[tenant.id] = tenant


def _safely(func, *args):
    """Run housekeeping that must never stop the tick."""
    try:
        return func(*args)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("scheduler housekeeping %s failed", func.__name__)
        return None


def reconcile_runs(now: datetime) -> None:
    """Finish runs whose report ended without the run hearing of it, and fail runs whose scheduler died."""
    from .delivery import finish_run_for_report

    stale = db.session.execute(
        select(ScheduleRun.id, ScheduleRun.report_id, ScheduleRun.schedule_id, ScheduleRun.scheduled_for,
               ScheduleRun.trigger, Report.status)
        .outerjoin(Report, Report.id == ScheduleRun.report_id)
        .where(ScheduleRun.status == "QUEUED", ScheduleRun.created_at < now - ORPHAN_AFTER)).all()
    for run_id, report_id, schedule_id, slot, trigger, report_status in stale:
        if report_id is None:
            job_id = manual_job_id(schedule_id, run_id) if trigger == "MANUAL" else cron_job_id(schedule_id, slot)
            report = db.session.scalar(select(Report).where(Report.job_id == job_id))
            if report is None:
                fail_run(run_id, "The scheduler stopped before it requested the report.")
                continue
            db.session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id).values(report_id=report.id))
            db.session.commit()
            report_id, report_status = report.id, report.status
        if report_status in ("DONE", "FAILED"):
            finish_run_for_report(report_id, None)


def enqueue_daily_maintenance(now: datetime) -> None:
    """Queue the retention purge once per UTC day (the job id makes a second enqueue a no-op)."""
    app = current_app._get_current_object()
    day = f"{now:%Y%m%d}"
    if app.extensions.get("scheduler_maintenance_day") == day:
        return
    try:
        enqueue(maintenance_job, job_id=f"maintenance-{day}", unique=True)
    except DuplicateJob:
        pass
    app.extensions["scheduler_maintenance_day"] = day


def maintenance_job() -> dict:
    """Daily: purge reports, runs and e-mail records older than each tenant's retention."""
    from .retention import purge_expired

    return purge_expired()


def run_loop(interval: int, once: bool = False, echo=print, stop=None) -> None:
    """Tick now and then every `interval` seconds until stopped (or once)."""
    while True:
        try:
            result = tick()
            if result.claimed or result.failed or result.swept or once:
                echo(f"tick: claimed {len(result.claimed)}, requested {result.requested}, failed {result.failed}, "
                     f"already claimed elsewhere {result.lost}, stuck reports failed {result.swept} "
                     f"({result.seconds:.2f} s)")
        except Exception:  # noqa: BLE001 — a database hiccup must not end the scheduler
            db.session.rollback()
            log.exception("scheduler tick failed")
        finally:
            db.session.remove()
        if once:
            return
        if stop is not None:
            if stop.wait(interval):
                return
        else:
            time.sleep(interval)
