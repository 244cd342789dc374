"""Redis down while a schedule runs: "run now" answers 503 and stores no run; the scheduler gives the slot back
and runs it once when Redis returns; e-mails that cannot be queued fail visibly and the owner is told in the app."""

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from webapp.models import ApiToken, AuditLog, Notice, Report, utcnow
from webapp.models.schedules import EmailDelivery, ScheduleRun
from webapp.reports.service import sweep_stuck_reports
from webapp.schedules.delivery import finish_run_for_report
from webapp.schedules.scheduler import claim_due_batch, request_batch, tick

from ..redis_server import dead_redis_url
from .conftest import minute

QUEUE_DOWN = "작업 대기열(Redis)에 연결할 수 없습니다"


@pytest.fixture
def app_config(request):
    """A Redis of the test's own when it asks for `own_redis`, else a port where nothing listens."""
    if "own_redis" in request.fixturenames:
        return {"REDIS_URL": request.getfixturevalue("own_redis").url}
    return {"REDIS_URL": dead_redis_url()}


def counts(db):
    """(runs, reports) in the database."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(ScheduleRun)),
        db.session.scalar(select(func.count()).select_from(Report)),
    )


def own_redis_client(server):
    """A client of the test's own Redis."""
    from redis import Redis

    return Redis.from_url(server.url)


def test_run_now_page_answers_503_with_a_banner_and_stores_no_run(client, auth, db, make_schedule):
    schedule = make_schedule()
    auth.login("pm")
    response = client.post(f"/schedules/{schedule.id}/run")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'data-testid="page-banner"' in page and QUEUE_DOWN in page
    assert 'data-testid="run-now"' in page  # the button is still there to try again
    assert counts(db) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "run")) == 0


def test_run_now_api_answers_503_json_and_stores_no_run(client, db, make_schedule, tenant):
    schedule = make_schedule()
    _token, raw = ApiToken.issue(next(u for u in tenant.users if u.role == "PM"), "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.post(f"/api/auto-report/schedule/{schedule.id}/run", headers=headers)
    assert response.status_code == 503 and response.get_json() == {"detail": QUEUE_DOWN}
    assert counts(db) == (0, 0)
    assert client.get(f"/api/auto-report/schedule/{schedule.id}", headers=headers).get_json()["runs"] == []


def test_a_slot_whose_job_cannot_be_queued_is_given_back_and_runs_once_when_redis_returns(app, db, make_schedule, own_redis):
    slot = minute(utcnow()) - timedelta(minutes=minute(utcnow()).minute % 5)
    schedule = make_schedule(cron="*/5 * * * *", next_run_at=slot)
    own_redis.stop()
    for seconds in (5, 35):  # two ticks during the outage
        result = tick(now=slot + timedelta(seconds=seconds))
        assert result.deferred == 1 and result.claimed == [] and result.requested == 0
    assert counts(db) == (0, 0)  # nothing half-stored
    db.session.refresh(schedule)
    assert schedule.next_run_at == slot and schedule.last_run_at is None  # due again, as if never claimed
    own_redis.start()
    back_at = slot + timedelta(seconds=65)
    back = tick(now=back_at)
    again = tick(now=slot + timedelta(seconds=95))
    assert len(back.claimed) == 1 and back.requested == 1 and again.claimed == [] and again.deferred == 0
    runs = db.session.scalars(select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id)).all()
    assert [(run.scheduled_for, run.status) for run in runs] == [(slot, "QUEUED")]  # the slot, once
    job_id = f"schedule-{schedule.id}-{slot:%Y%m%dT%H%M}"
    queued = Queue(app.config["RQ_QUEUE"], connection=own_redis_client(own_redis)).get_job_ids()
    assert [job for job in queued if job.startswith("schedule-")] == [job_id]
    assert [job for job in queued if job.startswith("maintenance-")] == [f"maintenance-{back_at:%Y%m%d}"]  # postponed, not lost
    assert db.session.get(Report, runs[0].report_id).job_id == job_id
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "report")) == 1
    db.session.refresh(schedule)
    assert schedule.next_run_at == slot + timedelta(minutes=5) and schedule.last_run_at == slot


def test_after_a_long_outage_only_the_latest_slot_runs(app, db, make_schedule, own_redis):
    first = minute(utcnow()) - timedelta(minutes=minute(utcnow()).minute % 5)
    schedule = make_schedule(cron="*/5 * * * *", next_run_at=first)
    own_redis.stop()
    assert tick(now=first + timedelta(seconds=5)).deferred == 1
    own_redis.start()
    result = tick(now=first + timedelta(minutes=15, seconds=5))  # three more slots passed while Redis was down
    assert len(result.claimed) == 1
    assert db.session.scalars(select(ScheduleRun.scheduled_for)).all() == [first + timedelta(minutes=15)]
    db.session.refresh(schedule)
    assert schedule.next_run_at == first + timedelta(minutes=20)


def test_a_paused_schedule_stays_paused_when_its_slot_is_given_back(app, db, make_schedule):
    slot = minute(utcnow())
    schedule = make_schedule(cron="* * * * *", next_run_at=slot)
    _seen, [claim] = claim_due_batch(slot + timedelta(seconds=1))
    schedule.active, schedule.next_run_at = False, None  # paused between the claim and the enqueue
    db.session.commit()
    outcome = request_batch([claim], slot)
    assert outcome.withdrawn == [claim] and counts(db) == (0, 0)
    db.session.refresh(schedule)
    assert schedule.active is False and schedule.next_run_at is None


def test_emails_that_cannot_be_queued_fail_and_the_owner_is_told_in_the_app(client, auth, db, make_schedule, tenant):
    schedule = make_schedule(recipients=["cio@example.kr", "ops@example.kr"])
    report = Report(
        tenant_id=tenant.id,
        template="weekly_ops",
        period_start=utcnow().date(),
        period_end=utcnow().date(),
        format="excel",
        status="DONE",
        content=b"x",
        size=1,
        sha256="0" * 64,
        schedule_id=schedule.id,
    )
    db.session.add(report)
    db.session.flush()
    run = ScheduleRun(tenant_id=tenant.id, schedule_id=schedule.id, scheduled_for=utcnow(), status="QUEUED", report_id=report.id)
    db.session.add(run)
    db.session.commit()
    finish_run_for_report(report.id)  # what the worker does when the report is built, with Redis gone meanwhile
    db.session.expire_all()
    deliveries = db.session.execute(
        select(EmailDelivery.kind, EmailDelivery.status, EmailDelivery.last_error).order_by(EmailDelivery.id)
    ).all()
    assert deliveries == [("LINK", "FAILED", QUEUE_DOWN), ("LINK", "FAILED", QUEUE_DOWN), ("NOTICE", "FAILED", QUEUE_DOWN)]
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "DELIVERY_FAILED" and run.error == "2개 중 2개의 이메일을 보내지 못했습니다."
    notice = db.session.scalar(select(Notice))
    assert notice.user_id == schedule.owner_id and notice.kind == "DELIVERY_FAILED"
    auth.login("pm")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-testid="notices"' in page and "예약 보고서는 생성되었지만 이메일 2개 중 2개를 보내지 못했습니다." in page
    history = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'data-status="DELIVERY_FAILED"' in history and "발송 실패" in history and 'data-status="PENDING"' not in history


def test_the_sweep_does_not_declare_jobs_lost_while_redis_is_down(app, db, tenant):
    long_ago = utcnow() - timedelta(hours=2)
    waiting = Report(
        tenant_id=tenant.id,
        template="weekly_ops",
        period_start=long_ago.date(),
        period_end=long_ago.date(),
        format="excel",
        status="QUEUED",
        job_id="report-waiting",
        created_at=long_ago,
    )
    stuck = Report(
        tenant_id=tenant.id,
        template="weekly_ops",
        period_start=long_ago.date(),
        period_end=long_ago.date(),
        format="excel",
        status="RUNNING",
        job_id="report-stuck",
        created_at=long_ago,
        started_at=long_ago,
    )
    db.session.add_all([waiting, stuck])
    db.session.commit()
    assert sweep_stuck_reports() == 1  # the worker of the RUNNING one is gone; the QUEUED one may still be in Redis
    db.session.expire_all()
    assert (db.session.get(Report, waiting.id).status, db.session.get(Report, stuck.id).status) == ("QUEUED", "FAILED")
