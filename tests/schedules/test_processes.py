"""Real processes against PostgreSQL and Redis: concurrent schedulers, restart after downtime, and the whole
path scheduler → rq worker → SMTP server on loopback → signed link → the report's exact bytes.

PostgreSQL only (the processes share one database under concurrent claims); the same behaviour is
covered in-process on SQLite by test_scheduler.py and test_delivery.py."""

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from webapp.jobs import rq_queue
from webapp.models import Notice, Report, utcnow
from webapp.models.schedules import EmailDelivery, ScheduleRun
from webapp.schedules import links

from .conftest import SmtpServer, free_port, start_rq_worker, start_scheduler_once

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]
YEARLY = "0 0 1 1 *"  # one slot a year: the due slot cannot change while the test runs


def last_new_year(zone="Asia/Seoul"):
    """The most recent 1 January 00:00 in the zone, as UTC: the due slot of YEARLY."""
    local_now = datetime.now(ZoneInfo(zone))
    return datetime(local_now.year, 1, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def finish(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port())
    server.start()
    yield server.controller, server.inbox
    server.stop()


def test_three_scheduler_processes_at_once_claim_each_slot_exactly_once(app, db, make_schedule):
    slot = last_new_year()
    schedules = [make_schedule(cron=YEARLY, next_run_at=slot) for _ in range(150)]
    processes = [start_scheduler_once(app) for _ in range(3)]
    outputs = [finish(p) for p in processes]
    claimed = [int(re.search(r"claimed (\d+)", out).group(1)) for out in outputs]
    assert sum(claimed) == 150
    runs = db.session.execute(select(ScheduleRun.schedule_id, ScheduleRun.scheduled_for)).all()
    assert sorted(runs) == sorted((s.id, slot) for s in schedules)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 150
    queued = rq_queue(app).get_job_ids()
    report_jobs = [job for job in queued if job.startswith("schedule-")]
    assert sorted(report_jobs) == sorted(f"schedule-{s.id}-{slot:%Y%m%dT%H%M}" for s in schedules)  # one job per slot
    assert len([job for job in queued if job.startswith("maintenance-")]) == 1  # the daily purge, once


def test_a_scheduler_restarted_after_three_missed_slots_runs_once(app, db, make_schedule):
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    schedule = make_schedule(cron="0 * * * *", next_run_at=hour - timedelta(hours=3))  # 3 slots missed, the 4th is now
    finish(start_scheduler_once(app))
    finish(start_scheduler_once(app))  # ticking again changes nothing
    slots = db.session.scalars(select(ScheduleRun.scheduled_for).where(ScheduleRun.schedule_id == schedule.id)).all()
    assert slots == [hour]
    db.session.refresh(schedule)
    assert schedule.next_run_at == hour + timedelta(hours=1)


def test_scheduler_worker_and_smtp_deliver_a_link_to_the_exact_bytes(app, client, db, make_schedule, smtp_server):
    controller, inbox = smtp_server
    mail_env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}
    schedule = make_schedule(cron=YEARLY, next_run_at=last_new_year(), recipients=["cio@example.kr", "ops@example.kr"])
    make_schedule(template="monthly_sla", cron=YEARLY, next_run_at=last_new_year(), recipients=["sla@example.kr"])
    finish(start_scheduler_once(app, **mail_env))
    finish(start_rq_worker(app, **mail_env))  # builds both reports, then sends the three e-mails (same burst)
    assert sorted(m["To"] for m in inbox.messages) == ["cio@example.kr", "ops@example.kr", "sla@example.kr"]
    paths = {
        m["To"]: re.search(r"http://localhost(/r/[\w.\-]+)", m.get_body(preferencelist=("plain",)).get_content()).group(1)
        for m in inbox.messages
    }
    assert "주간 운영 보고서" in next(m["Subject"] for m in inbox.messages if m["To"] == "cio@example.kr")
    db.session.expire_all()
    run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id))
    report = db.session.get(Report, run.report_id)
    assert run.status == "DONE" and report.status == "DONE"
    response = client.get(paths["cio@example.kr"])  # a fresh client: no session
    assert response.status_code == 200 and response.data == report.content
    assert db.session.scalars(select(EmailDelivery.status)).all() == ["SENT", "SENT", "SENT"]
    path = paths["cio@example.kr"]
    head, _dot, signature_text = path.rpartition(".")
    # Change the signature's first character: the last one of base64 can carry only padding bits.
    tampered = f"{head}.{'A' if signature_text[0] != 'A' else 'B'}{signature_text[1:]}"
    assert client.get(tampered).status_code == 400  # a changed signature
    other_payload = paths["sla@example.kr"].removeprefix("/r/").split(".")[0]
    _payload, timestamp, signature = path.removeprefix("/r/").split(".")
    assert client.get(f"/r/{other_payload}.{timestamp}.{signature}").status_code == 400  # another report
    expired = links.make_token(report, issued_at=utcnow() - links.max_age() - timedelta(minutes=1))
    assert client.get(f"/r/{expired}").status_code == 410  # the same report's link, issued past its lifetime


def test_smtp_down_with_a_real_worker_retries_then_fails_visibly(app, db, make_schedule):
    mail_env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2, "MAIL_RETRY_INTERVALS": "1,2"}
    schedule = make_schedule(cron=YEARLY, next_run_at=last_new_year(), recipients=["cio@example.kr"])
    finish(start_scheduler_once(app, **mail_env))
    worker = start_rq_worker(app, burst=False, **mail_env)  # its scheduler brings retried jobs back
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            db.session.expire_all()
            statuses = db.session.execute(select(EmailDelivery.kind, EmailDelivery.status, EmailDelivery.attempts)).all()
            if ("LINK", "FAILED", 3) in statuses and any(kind == "NOTICE" and status == "FAILED" for kind, status, _ in statuses):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    link = db.session.scalar(select(EmailDelivery).where(EmailDelivery.kind == "LINK"))
    assert (link.status, link.attempts) == ("FAILED", 3)
    assert link.last_error
    run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id))
    assert run.status == "DELIVERY_FAILED" and db.session.get(Report, run.report_id).status == "DONE"  # built, not sent
    notice = db.session.scalar(select(EmailDelivery).where(EmailDelivery.kind == "NOTICE"))
    assert notice.recipient == "pm@acme.example.kr"
    in_app = db.session.scalar(select(Notice).where(Notice.user_id == schedule.owner_id))
    assert in_app.kind == "DELIVERY_FAILED" and in_app.link == f"/schedules/{schedule.id}" and in_app.read_at is None
