"""The scheduler tick in-process (SQLite, and PostgreSQL when switched on): claim once, catch up once, fail clearly."""

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import AuditLog, Notice, Report, utcnow
from webapp.models.schedules import EmailDelivery, ScheduleRun
from webapp.schedules.retention import purge_expired
from webapp.schedules.runs import run_now
from webapp.schedules.scheduler import tick

from .conftest import minute

UTC = UTC


def runs_of(db, schedule):
    db.session.expire_all()
    return db.session.scalars(select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id).order_by(ScheduleRun.id)).all()


def five_minute_slot(now):
    return minute(now) - timedelta(minutes=minute(now).minute % 5)


def test_due_slot_runs_once_and_next_run_advances(app, db, make_schedule):
    slot = five_minute_slot(utcnow())
    schedule = make_schedule(cron="*/5 * * * *", next_run_at=slot)
    first = tick(now=slot + timedelta(seconds=20))
    second = tick(now=slot + timedelta(seconds=50))
    wait_for_embedded_jobs(30)
    runs = runs_of(db, schedule)
    assert len(first.claimed) == 1 and second.claimed == []
    assert [(r.scheduled_for, r.trigger) for r in runs] == [(slot, "CRON")]
    db.session.refresh(schedule)
    assert schedule.next_run_at == slot + timedelta(minutes=5)
    assert schedule.last_run_at == slot
    report = db.session.get(Report, runs[0].report_id)
    assert report.job_id == f"schedule-{schedule.id}-{slot:%Y%m%dT%H%M}"
    assert report.schedule_id == schedule.id and report.status == "DONE"
    assert runs[0].status == "DONE"


def test_scheduled_run_covers_the_last_complete_period(app, db, make_schedule):
    # Monday 2026-11-23 09:00 in Seoul = 00:00 UTC: the previous 7 days, Monday to Sunday.
    slot = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    schedule = make_schedule(cron="0 9 * * 1", next_run_at=slot)
    monthly = make_schedule(template="monthly_sla", cron="0 9 * * 1", next_run_at=slot)
    tick(now=slot + timedelta(seconds=5))
    wait_for_embedded_jobs(30)
    weekly_report = db.session.get(Report, runs_of(db, schedule)[0].report_id)
    monthly_report = db.session.get(Report, runs_of(db, monthly)[0].report_id)
    assert (weekly_report.period_start, weekly_report.period_end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert (monthly_report.period_start, monthly_report.period_end) == (date(2026, 10, 1), date(2026, 10, 31))


def test_after_downtime_across_three_slots_only_the_latest_runs(app, db, make_schedule):
    first_missed = five_minute_slot(utcnow()) - timedelta(minutes=15)
    schedule = make_schedule(cron="*/5 * * * *", next_run_at=first_missed)
    restart = first_missed + timedelta(minutes=10, seconds=40)  # slots at +0, +5 and +10 were all missed
    result = tick(now=restart)
    wait_for_embedded_jobs(30)
    runs = runs_of(db, schedule)
    assert len(result.claimed) == 1
    assert [r.scheduled_for for r in runs] == [first_missed + timedelta(minutes=10)]
    db.session.refresh(schedule)
    assert schedule.next_run_at == first_missed + timedelta(minutes=15)


def test_paused_and_future_schedules_do_not_fire(app, db, make_schedule):
    now = utcnow()
    paused = make_schedule(cron="* * * * *", active=False, next_run_at=minute(now) - timedelta(minutes=1))
    future = make_schedule(cron="0 9 * * 1", next_run_at=now + timedelta(hours=1))
    assert tick(now=now).claimed == []
    assert runs_of(db, paused) == [] and runs_of(db, future) == []


def test_concurrent_ticks_in_threads_claim_each_slot_once(app, db, make_schedule):
    slot = five_minute_slot(utcnow())
    schedules = [make_schedule(cron="*/5 * * * *", next_run_at=slot) for _ in range(12)]
    results, errors = [], []

    def tick_in_thread():
        try:
            with app.app_context():
                results.append(tick(now=slot + timedelta(seconds=1)))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=tick_in_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    wait_for_embedded_jobs(60)
    assert errors == []
    assert sum(len(r.claimed) for r in results) == 12
    counts = dict(db.session.execute(select(ScheduleRun.schedule_id, func.count()).group_by(ScheduleRun.schedule_id)).all())
    assert counts == {s.id: 1 for s in schedules}
    assert db.session.scalar(select(func.count()).select_from(Report)) == 12


def test_a_schedule_that_cannot_request_fails_its_run_and_the_others_still_run(app, db, make_schedule, tenant):
    slot = five_minute_slot(utcnow())
    broken = make_schedule(template="incident_rca", format="excel", cron="*/5 * * * *", next_run_at=slot)  # PDF only
    healthy = make_schedule(cron="*/5 * * * *", next_run_at=slot)
    result = tick(now=slot + timedelta(seconds=3))
    wait_for_embedded_jobs(30)
    assert result.failed == 1 and result.requested == 1
    [broken_run] = runs_of(db, broken)
    assert broken_run.status == "FAILED" and "excel" in broken_run.error
    assert runs_of(db, healthy)[0].status == "DONE"
    notice = db.session.scalar(select(EmailDelivery).where(EmailDelivery.run_id == broken_run.id))
    assert notice.kind == "NOTICE" and notice.recipient == "pm@acme.example.kr"


def test_a_run_whose_scheduler_died_is_failed_by_a_later_tick(app, db, make_schedule):
    schedule = make_schedule()
    long_ago = utcnow() - timedelta(minutes=30)
    orphan = ScheduleRun(
        tenant_id=schedule.tenant_id,
        schedule_id=schedule.id,
        scheduled_for=minute(long_ago),
        status="QUEUED",
        created_at=long_ago,
    )
    db.session.add(orphan)
    db.session.commit()
    tick()
    db.session.refresh(orphan)
    assert orphan.status == "FAILED"
    assert "stopped before it requested" in orphan.error


def test_run_now_requests_the_report_at_once(app, db, make_schedule, tenant):
    schedule = make_schedule()
    run = run_now(schedule)
    wait_for_embedded_jobs(30)
    db.session.refresh(run)
    report = db.session.get(Report, run.report_id)
    assert run.trigger == "MANUAL" and run.status == "DONE"
    assert report.job_id == f"schedule-{schedule.id}-manual-{run.id}"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "run", AuditLog.entity == "report_schedule"))


def test_run_now_that_cannot_request_its_report_fails_visibly(app, db, make_schedule):
    schedule = make_schedule(template="incident_rca", format="excel")  # stored before the template became PDF only
    run = run_now(schedule)
    wait_for_embedded_jobs(30)
    db.session.refresh(run)
    assert run.status == "FAILED" and "excel" in run.error and run.report_id is None
    notice = db.session.scalar(select(EmailDelivery).where(EmailDelivery.run_id == run.id))
    assert notice.kind == "NOTICE" and notice.recipient == "pm@acme.example.kr"


def test_maintenance_purges_runs_and_reports_past_retention(app, db, make_schedule, tenant, other_tenant):
    tenant.settings = {"report_retention_days": 30}
    db.session.commit()
    schedule = make_schedule()
    now = utcnow()

    def add_run(age_days, tenant_id=tenant.id, schedule_id=schedule.id):
        created = now - timedelta(days=age_days)
        report = Report(
            tenant_id=tenant_id,
            template="weekly_ops",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 7),
            format="excel",
            status="DONE",
            created_at=created,
            content=b"x",
            sha256="0" * 64,
            size=1,
        )
        db.session.add(report)
        db.session.flush()
        run = ScheduleRun(
            tenant_id=tenant_id,
            schedule_id=schedule_id,
            scheduled_for=created,
            status="DONE",
            report_id=report.id,
            created_at=created,
        )
        db.session.add(run)
        db.session.flush()
        db.session.add(
            EmailDelivery(
                tenant_id=tenant_id,
                run_id=run.id,
                report_id=report.id,
                recipient="a@example.kr",
                status="SENT",
                created_at=created,
            )
        )
        db.session.commit()
        return run.id, report.id

    old_run, old_report = add_run(40)
    new_run, new_report = add_run(10)
    other_schedule = make_schedule(tenant_id=other_tenant.id)
    kept_run, kept_report = add_run(40, other_tenant.id, other_schedule.id)  # other tenant: default 365 days
    for age_days in (40, 10):
        db.session.add(
            Notice(
                tenant_id=tenant.id,
                user_id=schedule.owner_id,
                kind="RUN_FAILED",
                message=f"{age_days}",
                created_at=now - timedelta(days=age_days),
            )
        )
    db.session.commit()
    totals = purge_expired(now)
    db.session.expire_all()
    assert totals == {"runs": 1, "deliveries": 1, "reports": 1, "notices": 1, "sessions": 0}
    assert db.session.scalars(select(Notice.message)).all() == ["10"]
    assert db.session.get(ScheduleRun, old_run) is None and db.session.get(Report, old_report) is None
    assert db.session.get(ScheduleRun, new_run) and db.session.get(Report, new_report)
    assert db.session.get(ScheduleRun, kept_run) and db.session.get(Report, kept_report)


def test_scheduler_cli_once(app, runner, make_schedule, db):
    slot = five_minute_slot(utcnow())
    schedule_id = make_schedule(cron="*/5 * * * *", next_run_at=slot - timedelta(minutes=5)).id
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "claimed 1" in result.output
    slots = db.session.scalars(select(ScheduleRun.scheduled_for).where(ScheduleRun.schedule_id == schedule_id)).all()
    assert slots == [slot]


def test_a_stored_cron_that_no_longer_evaluates_is_paused_and_does_not_block_others(app, db, make_schedule):
    slot = five_minute_slot(utcnow())
    broken = make_schedule(cron="*/5 * * * *", timezone="Nowhere/Atlantis", next_run_at=slot)
    healthy = make_schedule(cron="*/5 * * * *", next_run_at=slot)
    result = tick(now=slot + timedelta(seconds=2))
    wait_for_embedded_jobs(30)
    assert len(result.claimed) == 1 and runs_of(db, healthy)[0].scheduled_for == slot
    db.session.refresh(broken)
    assert broken.active is False and broken.next_run_at is None and runs_of(db, broken) == []
