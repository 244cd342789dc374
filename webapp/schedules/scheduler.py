"""The scheduler tick: claim each due slot exactly once, then request its report.

Any number of scheduler processes may tick at the same time.  A slot is claimed by inserting
its ScheduleRun row; the UNIQUE(schedule_id, scheduled_for) constraint lets exactly one insert
win (ON CONFLICT DO NOTHING tells the others they lost).  Only the winner requests the report,
whose queue job id is derived from schedule and slot with unique=True as a second guard.

Due rows are read in batches with FOR UPDATE SKIP LOCKED (PostgreSQL), so concurrent
schedulers share the work instead of racing for the same rows; the claim and the advance
of next_run_at commit together in one short transaction per batch.

When the queue (Redis) cannot be reached, the winner gives its claim back: it deletes the
report and the run row it made and moves next_run_at back to the slot, so the slot is neither
lost nor run twice — the next tick claims it again through the same unique constraint (after a
long outage, only the latest missed slot, as after any downtime).  A "run now" whose job
cannot be queued is withdrawn the same way and its caller answers 503.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, update

from ..audit import record
from ..extensions import db
from ..jobs import DuplicateJob, QueueUnavailable, enqueue
from ..models import AuditLog, Report, utcnow
from ..models.schedules import ReportSchedule, ScheduleRun
from ..reports.service import (
    generate_report_job,
    last_complete_period,
    queued_report_values,
    report_time_limit,
    sweep_stuck_reports,
)
from . import cron
from .delivery import finish_run_for_report, notify_owner
from .retention import purge_expired
from .sql import insert_on_conflict

log = logging.getLogger(__name__)

BATCH_SIZE = 500
ENQUEUE_THREADS = 4  # Redis round trips overlap; the work itself is tiny
ORPHAN_AFTER = timedelta(minutes=5)  # a claimed run with no report after this long lost its scheduler


@dataclass
class TickResult:
    """What one tick did (printed by `flask scheduler run --once`)."""

    claimed: list[int] = field(default_factory=list)  # run ids this process won
    lost: int = 0  # slots another scheduler had already claimed
    requested: int = 0  # reports requested
    failed: int = 0  # runs that could not request their report
    deferred: int = 0  # slots given back because the queue was unreachable (claimed again by a later tick)
    swept: int = 0  # stuck reports failed by the sweep
    seconds: float = 0.0


def cron_job_id(schedule_id: int, slot: datetime) -> str:
    """The queue job id of a cron slot (stable across processes, so the queue refuses a duplicate)."""
    return f"schedule-{schedule_id}-{slot:%Y%m%dT%H%M}"


def manual_job_id(schedule_id: int, run_id: int) -> str:
    """The queue job id of a "run now"."""
    return f"schedule-{schedule_id}-manual-{run_id}"


@dataclass(frozen=True)
class Claim:
    """A run to start (a cron slot this process won, or a "run now"), as plain values (no ORM objects kept across commits)."""

    run_id: int
    schedule_id: int
    tenant_id: int
    owner_id: int | None
    template: str
    format: str
    timezone: str
    slot: datetime
    job_id: str
    trigger: str = "CRON"


@dataclass
class BatchOutcome:
    """What request_batch() did with its claims."""

    requested: int = 0  # reports queued
    failed: int = 0  # runs failed (bad schedule, or a job id the queue already held)
    withdrawn: list[Claim] = field(default_factory=list)  # given back: the queue was unreachable


def claim_due_batch(now: datetime, batch_size: int = BATCH_SIZE) -> tuple[int, list[Claim]] | None:
    """Claim the latest due slot of up to `batch_size` schedules; None when nothing is due.

    Returns (rows looked at, the claims won by this process).
    """
    due = db.session.execute(
        select(
            ReportSchedule.id,
            ReportSchedule.tenant_id,
            ReportSchedule.cron,
            ReportSchedule.timezone,
            ReportSchedule.next_run_at,
            ReportSchedule.owner_id,
            ReportSchedule.template,
            ReportSchedule.format,
        )
        .where(ReportSchedule.active.is_(True), ReportSchedule.next_run_at <= now)
        .order_by(ReportSchedule.next_run_at, ReportSchedule.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        db.session.commit()
        return None
    runs, advances, details, slots, unusable = [], [], {}, {}, []
    for schedule_id, tenant_id, expression, zone, next_run_at, owner_id, template, fmt in due:
        key = (expression, zone, next_run_at)  # many schedules share a cron line: evaluate it once per batch
        if key not in slots:
            try:
                slot = cron.latest_fire(expression, zone, now, next_run_at)  # after downtime: only the latest missed slot
                slots[key] = (slot, cron.next_fire(expression, zone, slot))
            except Exception:  # noqa: BLE001 — a stored line that no longer evaluates must not block the others
                log.exception("schedule %s: cron %r in %s cannot be evaluated; it is paused", schedule_id, expression, zone)
                slots[key] = None
        if slots[key] is None:
            unusable.append((schedule_id, tenant_id))
            continue
        slot, following = slots[key]
        runs.append(
            {
                "tenant_id": tenant_id,
                "schedule_id": schedule_id,
                "scheduled_for": slot,
                "trigger": "CRON",
                "status": "QUEUED",
                "created_at": now,
                "started_at": now,
            }
        )
        advances.append({"sid": schedule_id, "slot": slot, "following": following})
        details[schedule_id] = (tenant_id, owner_id, template, fmt, zone)
    if unusable:
        db.session.execute(
            update(ReportSchedule).where(ReportSchedule.id.in_([i for i, _t in unusable])).values(active=False, next_run_at=None)
        )
        for schedule_id, tenant_id in unusable:
            record("pause", "report_schedule", schedule_id, tenant_id=tenant_id, reason="cron cannot be evaluated")
    if not runs:
        db.session.commit()
        return len(due), []
    table = ScheduleRun.__table__
    won = db.session.execute(
        insert_on_conflict(table)
        .on_conflict_do_nothing(index_elements=["schedule_id", "scheduled_for"])
        .returning(table.c.id, table.c.schedule_id, table.c.scheduled_for),
        runs,
    ).all()
    schedules = ReportSchedule.__table__
    db.session.execute(
        schedules.update()
        .where(
            schedules.c.id == bindparam("sid"),
            (schedules.c.next_run_at.is_(None)) | (schedules.c.next_run_at < bindparam("following")),
        )
        .values(next_run_at=bindparam("following"), last_run_at=bindparam("slot"), updated_at=schedules.c.updated_at),
        advances,
    )
    db.session.commit()
    return len(due), [
        Claim(run_id, schedule_id, *details[schedule_id], slot, cron_job_id(schedule_id, slot))
        for run_id, schedule_id, slot in won
    ]


def fail_run(run_id: int, error: str) -> None:
    """Mark a run FAILED with its error and tell the schedule's owner."""
    db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status == "QUEUED")
        .values(status="FAILED", error=error[:2000], finished_at=utcnow())
    )
    db.session.commit()
    notify_owner(run_id)


def request_batch(claims: list[Claim], now: datetime) -> BatchOutcome:
    """Create the QUEUED reports of a batch of claims in one transaction, then enqueue their jobs.

    This is request_report() for many rows at once: the same checks (template, format, period)
    and the same job (generate_report_job, the claim's job id, unique=True), with one commit per
    batch instead of one per report, so 10,000 due schedules are queued in seconds.  "Run now"
    starts its single run here too.  Each run is linked to its report in the same commit that
    creates the report, so a finished report always finds its run.  Claims whose job could not
    be queued are withdrawn (see the module docstring); audit rows are written for queued reports only.
    """
    outcome, rows, failed, by_job = BatchOutcome(), [], [], {}
    for claim in claims:
        try:
            start, end = last_complete_period(claim.template, claim.slot.astimezone(ZoneInfo(claim.timezone)).date())
            rows.append(
                queued_report_values(
                    claim.tenant_id,
                    claim.template,
                    start,
                    end,
                    claim.format,
                    generated_by_id=claim.owner_id,
                    schedule_id=claim.schedule_id,
                    job_id=claim.job_id,
                    created_at=now,
                )
            )
        except Exception as exc:  # noqa: BLE001 — one bad schedule must not stop the others
            failed.append((claim.run_id, str(exc) or type(exc).__name__))
            continue
        by_job[rows[-1]["job_id"]] = claim
    reports = Report.__table__
    inserted = db.session.execute(insert(reports).returning(reports.c.id, reports.c.job_id), rows).all() if rows else []
    runs = ScheduleRun.__table__
    if inserted:
        db.session.execute(
            runs.update().where(runs.c.id == bindparam("rid")).values(report_id=bindparam("report")),
            [{"rid": by_job[job_id].run_id, "report": report_id} for report_id, job_id in inserted],
        )
    db.session.commit()
    for run_id, message in failed:
        log.warning("run %s could not request its report: %s", run_id, message)
        fail_run(run_id, message)
    duplicates, unreachable = _enqueue_all(generate_report_job, inserted, report_time_limit())
    for report_id, job_id in duplicates:
        log.warning("job %s is already in the queue; report %s withdrawn", job_id, report_id)
        db.session.execute(delete(Report).where(Report.id == report_id))
        db.session.commit()
        fail_run(by_job[job_id].run_id, f"The queue already holds a job {job_id} that this database does not know.")
    if unreachable:
        outcome.withdrawn = [by_job[job_id] for _report_id, job_id in unreachable]
        withdraw_claims(outcome.withdrawn, [report_id for report_id, _job_id in unreachable])
    refused = {pair[1] for pair in duplicates} | {pair[1] for pair in unreachable}
    queued = [(report_id, by_job[job_id]) for report_id, job_id in inserted if job_id not in refused]
    _audit_requests(queued, now)
    outcome.requested, outcome.failed = len(queued), len(failed) + len(duplicates)
    return outcome


def _audit_requests(queued: list[tuple[int, Claim]], now: datetime) -> None:
    """One audit row per report that reached the queue."""
    if not queued:
        return
    db.session.execute(
        insert(AuditLog.__table__),
        [
            {
                "tenant_id": claim.tenant_id,
                "user_id": claim.owner_id,
                "action": "create",
                "entity": "report",
                "entity_id": str(report_id),
                "at": now,
                "details": {
                    "template": claim.template,
                    "format": claim.format,
                    "schedule_id": claim.schedule_id,
                    "slot": claim.slot.isoformat(),
                },
            }
            for report_id, claim in queued
        ],
    )
    db.session.commit()


def withdraw_claims(claims: list[Claim], report_ids: list[int]) -> None:
    """Give back claims whose job could not be queued: delete their reports and runs, and make cron slots due again.

    next_run_at goes back to the slot only where it still holds the value the claim set (a schedule
    edited or paused meanwhile keeps its new time); last_run_at falls back to the latest slot still run.
    """
    schedules = ReportSchedule.__table__
    runs = ScheduleRun.__table__
    db.session.execute(delete(Report).where(Report.id.in_(report_ids), Report.status == "QUEUED"))
    db.session.execute(delete(ScheduleRun).where(ScheduleRun.id.in_([claim.run_id for claim in claims])))
    cron_claims = [claim for claim in claims if claim.trigger == "CRON"]
    if cron_claims:
        latest_slot = (
            select(func.max(runs.c.scheduled_for))
            .where(runs.c.schedule_id == schedules.c.id, runs.c.trigger == "CRON")
            .scalar_subquery()
        )
        db.session.execute(
            schedules.update()
            .where(schedules.c.id == bindparam("sid"), schedules.c.active.is_(True), schedules.c.next_run_at > bindparam("slot"))
            .values(next_run_at=bindparam("slot"), last_run_at=latest_slot, updated_at=schedules.c.updated_at),
            [{"sid": claim.schedule_id, "slot": claim.slot} for claim in cron_claims],
        )
    db.session.commit()
    log.warning(
        "the job queue is unreachable: %s run(s) withdrawn (%s cron slot(s) will be claimed again)", len(claims), len(cron_claims)
    )


def _enqueue_all(job, reports: list[tuple[int, str]], timeout: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Enqueue one job per (report id, job id); with Redis a few threads overlap the round trips.

    Returns (the pairs the queue refused as duplicates, the pairs not queued because Redis is
    unreachable).  After the first unreachable answer the rest are not tried: each try would
    only wait for its own timeout.
    """
    app = current_app._get_current_object()
    unreachable = threading.Event()

    def one(pair):
        report_id, job_id = pair
        if unreachable.is_set():
            return "unreachable", pair
        with app.app_context():
            try:
                enqueue(job, report_id, None, job_id=job_id, unique=True, timeout=timeout)
            except DuplicateJob:
                return "duplicate", pair
            except QueueUnavailable:
                unreachable.set()
                return "unreachable", pair
        return None

    if not app.config.get("REDIS_URL") or len(reports) < 20:
        refused = [one(pair) for pair in reports]
    else:
        with ThreadPoolExecutor(max_workers=ENQUEUE_THREADS, thread_name_prefix="enqueue") as pool:
            refused = list(pool.map(one, reports))
    refused = [item for item in refused if item is not None]
    return ([pair for why, pair in refused if why == "duplicate"], [pair for why, pair in refused if why == "unreachable"])


def tick(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> TickResult:
    """One pass: sweep stuck reports and orphaned runs, then claim and start every due slot."""
    started = time.monotonic()
    now = now or utcnow()
    result = TickResult()
    result.swept = _safely(sweep_stuck_reports, now) or 0
    _safely(reconcile_runs, now)
    _safely(enqueue_daily_maintenance, now)
    while True:
        batch = claim_due_batch(now, batch_size)
        if batch is None:
            break
        seen, won = batch
        result.lost += seen - len(won)
        outcome = request_batch(won, now)
        withdrawn = {claim.run_id for claim in outcome.withdrawn}
        result.claimed.extend(claim.run_id for claim in won if claim.run_id not in withdrawn)
        result.requested += outcome.requested
        result.failed += outcome.failed
        result.deferred += len(withdrawn)
        if withdrawn or seen < batch_size:
            break  # with the queue down, claiming more would only give the claims back again
    result.seconds = time.monotonic() - started
    return result


def _safely(func, *args):
    """Run housekeeping that must never stop the tick."""
    try:
        return func(*args)
    except QueueUnavailable:
        db.session.rollback()
        log.warning("scheduler housekeeping %s postponed: the job queue is unreachable", func.__name__)
        return None
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("scheduler housekeeping %s failed", func.__name__)
        return None


def reconcile_runs(now: datetime) -> None:
    """Finish runs whose report ended without the run hearing of it, and fail runs whose scheduler died.

    A run gets its report in the commit that creates the report, so a run still without one
    after ORPHAN_AFTER lost its scheduler between the claim and that commit.
    """
    stale = db.session.execute(
        select(ScheduleRun.id, ScheduleRun.report_id, Report.status)
        .outerjoin(Report, Report.id == ScheduleRun.report_id)
        .where(ScheduleRun.status == "QUEUED", ScheduleRun.created_at < now - ORPHAN_AFTER)
    ).all()
    for run_id, report_id, report_status in stale:
        if report_id is None:
            fail_run(run_id, "The scheduler stopped before it requested the report.")
        elif report_status in ("DONE", "FAILED"):
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


# Daily work besides the purge, as data: (result key, "module:function"); each runs even when another fails.
DAILY_TASKS = (
    ("budget_alerts", "webapp.budgets.alerts:check_every_tenant"),  # catches changes whose check could not be queued
)


def maintenance_job() -> dict:
    """Daily: purge reports, runs and e-mail records older than each tenant's retention, then the DAILY_TASKS."""
    totals = _safely(purge_expired) or {}
    for key, name in DAILY_TASKS:
        module_name, _sep, attr = name.partition(":")
        totals[key] = _safely(getattr(importlib.import_module(module_name), attr))
    return totals


def run_loop(interval: int, once: bool = False, echo=print, stop=None) -> None:
    """Tick now and then every `interval` seconds until stopped (or once)."""
    while True:
        try:
            result = tick()
            if result.claimed or result.failed or result.swept or result.deferred or once:
                echo(
                    f"tick: claimed {len(result.claimed)}, requested {result.requested}, failed {result.failed}, "
                    f"already claimed elsewhere {result.lost}, stuck reports failed {result.swept}, "
                    f"deferred (queue unreachable) {result.deferred} ({result.seconds:.2f} s)"
                )
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
