"""Outage journeys in a real browser: the job queue down (the htmx form keeps what was typed, with a banner), a run
whose e-mails failed (발송 실패) and the owner's in-app notice, dismissed in place."""

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from webapp import create_app
from webapp.extensions import db
from webapp.models import Notice, Report, User, utcnow
from webapp.models.schedules import EmailDelivery, ReportSchedule, ScheduleRun

from ..conftest import base_config, migrate_to_head
from ..redis_server import dead_redis_url
from .conftest import DEMO_PASSWORDS, LiveServer
from .test_reports_journey import settled

QUEUE_DOWN = "작업 대기열(Redis)에 연결할 수 없습니다"


@pytest.fixture(scope="module")
def outage_server(tmp_path_factory):
    """The demo app, served on loopback, whose Redis is down (REDIS_URL where nothing listens)."""
    from webapp.demo import seed_demo

    folder = tmp_path_factory.mktemp("outage")
    database_uri = f"sqlite:///{folder / 'app.db'}"
    migrate_to_head(database_uri)
    app = create_app(
        base_config(
            database_uri, WTF_CSRF_ENABLED=True, REDIS_URL=dead_redis_url(), TESTING=False, MAIL_FILE_PATH=str(folder / "outbox")
        )
    )
    with app.app_context():
        seed_demo(echo=lambda *_: None)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, outbox=folder / "outbox")
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def sign_in(server, page, username="pm"):
    """Sign in as a demo user."""
    page.goto(f"{server.url}/login")
    page.fill("#tenant", "demo")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def count_reports(server) -> int:
    """Report rows in the served database."""
    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def test_generate_with_the_queue_down_keeps_the_form_and_shows_why(outage_server, page, screenshot):
    sign_in(outage_server, page)
    page.goto(outage_server.url + "/reports/")
    before = count_reports(outage_server)
    page.select_option("#template", "monthly_sla")
    settled(page)
    page.select_option("#format", "pdf")
    page.check("input[name=period][value=custom]")
    page.fill("#period_start", "2026-10-01")
    page.fill("#period_end", "2026-10-31")
    page.click("[data-testid=generate]")
    banner = page.locator("#report-form [data-testid=form-banner]")
    expect(banner).to_have_text(QUEUE_DOWN)
    settled(page)
    expect(page.locator("#period_start")).to_have_value("2026-10-01")
    expect(page.locator("#period_end")).to_have_value("2026-10-31")
    expect(page.locator("#format")).to_have_value("pdf")
    expect(page.locator("input[name=period][value=custom]")).to_be_checked()
    assert count_reports(outage_server) == before
    screenshot(page, "outage-01-queue-down")


def test_a_failed_delivery_and_the_owners_notice(outage_server, page, screenshot):
    app = outage_server.app
    with app.app_context():
        pm = db.session.scalar(select(User).where(User.username == "pm"))
        schedule = ReportSchedule(
            tenant_id=pm.tenant_id,
            name="주간 보고",
            template="weekly_ops",
            cron="0 9 * * 1",
            timezone="Asia/Seoul",
            format="excel",
            recipients=["cio@example.go.kr"],
            owner_id=pm.id,
            next_run_at=utcnow(),
        )
        db.session.add(schedule)
        db.session.flush()
        run = ScheduleRun(
            tenant_id=pm.tenant_id,
            schedule_id=schedule.id,
            scheduled_for=utcnow(),
            status="DELIVERY_FAILED",
            error="1개 중 1개의 이메일을 보내지 못했습니다.",
            finished_at=utcnow(),
        )
        db.session.add(run)
        db.session.flush()
        db.session.add(
            EmailDelivery(
                tenant_id=pm.tenant_id,
                run_id=run.id,
                recipient="cio@example.go.kr",
                status="FAILED",
                attempts=3,
                last_error="[Errno 111] Connection refused",
            )
        )
        notice = Notice(
            tenant_id=pm.tenant_id,
            user_id=pm.id,
            kind="DELIVERY_FAILED",
            message="“주간 보고” 예약 보고서는 생성되었지만 이메일 1개 중 1개를 보내지 못했습니다.",
            link=f"/schedules/{schedule.id}",
            key=f"run-{run.id}",
        )
        db.session.add(notice)
        db.session.commit()
        schedule_id, notice_id = schedule.id, notice.id
    sign_in(outage_server, page)
    page.goto(f"{outage_server.url}/schedules/{schedule_id}")
    expect(page.locator(f"#notice-{notice_id}")).to_contain_text("예약 보고서는 생성되었지만")
    expect(page.locator("#run-history [data-status=DELIVERY_FAILED]")).to_have_text("발송 실패")
    screenshot(page, "outage-02-delivery-failed")
    page.click(f"#notice-{notice_id} [data-testid=dismiss-notice]")
    expect(page.locator(f"#notice-{notice_id}")).to_have_count(0)
    page.reload()
    expect(page.locator("[data-testid=notices]")).to_have_count(0)
    page.click("[data-testid=run-now]")  # the queue is still down: the page says so, and nothing is stored
    expect(page.locator("[data-testid=page-banner]")).to_have_text(QUEUE_DOWN)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScheduleRun)) == 1
