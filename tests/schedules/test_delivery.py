"""Delivery: one e-mail per recipient with a signed link that downloads the exact bytes; refusals; retries; outbox."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import Report, utcnow
from webapp.models.schedules import EmailDelivery, ScheduleRun
from webapp.schedules import links
from webapp.schedules.delivery import finish_run_for_report
from webapp.schedules.runs import run_now

from .conftest import free_port, outbox

LINK = re.compile(r"http://localhost(/r/[\w.\-]+)")


def run_and_wait(db, schedule):
    run = run_now(schedule)
    wait_for_embedded_jobs(60)
    db.session.expire_all()
    return db.session.get(ScheduleRun, run.id)


def test_each_recipient_gets_a_korean_email_whose_link_downloads_the_exact_bytes(app, client, db, make_schedule):
    schedule = make_schedule(recipients=["cio@example.kr", "ops@example.kr"])
    run = run_and_wait(db, schedule)
    report = db.session.get(Report, run.report_id)
    messages = outbox(app)
    assert sorted(m.to[0] for m in messages) == ["cio@example.kr", "ops@example.kr"]
    message = messages[0]
    assert message.subject == f"[에이크미 기관] 주간 운영 보고서 ({report.period_start} ~ {report.period_end})"
    assert "파일 크기" in message.body and "KB" in message.body and "로그인" in message.body
    path = LINK.search(message.body).group(1)
    response = client.get(path)  # no session
    assert response.status_code == 200
    assert response.data == report.content
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    html_part = message.alternatives[0][0]
    assert path in unescape(html_part)


def test_announcing_a_finished_report_twice_never_sends_twice(app, db, make_schedule):
    schedule = make_schedule(recipients=["cio@example.kr"])
    run = run_and_wait(db, schedule)
    assert finish_run_for_report(run.report_id) == []
    wait_for_embedded_jobs(30)
    assert len(outbox(app)) == 1
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery)) == 1


@pytest.fixture
def two_reports(app, db, make_schedule):
    first = db.session.get(Report, run_and_wait(db, make_schedule()).report_id)
    second = db.session.get(Report, run_and_wait(db, make_schedule(template="monthly_sla")).report_id)
    return first, second


def test_expired_link_is_refused_with_a_clear_page(client, two_reports):
    report, _ = two_reports
    token = links.make_token(report, issued_at=utcnow() - timedelta(days=7, minutes=1))
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert "유효 기간이 지났습니다" in response.get_data(as_text=True)
    fresh = links.make_token(report, issued_at=utcnow() - timedelta(days=6, hours=23))
    assert client.get(f"/r/{fresh}").status_code == 200


def test_changed_signature_is_refused(client, two_reports):
    report, _ = two_reports
    token = links.make_token(report)
    broken = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/r/{broken}")
    assert response.status_code == 400
    assert "올바르지 않은 다운로드 링크" in response.get_data(as_text=True)


def test_a_link_cannot_be_turned_into_another_reports_link(client, two_reports):
    first, second = two_reports
    first_token, second_token = links.make_token(first), links.make_token(second)
    payload, timestamp, signature = first_token.split(".")
    other_payload = second_token.split(".")[0]
    assert client.get(f"/r/{other_payload}.{timestamp}.{signature}").status_code == 400
    assert client.get(f"/r/{first_token}").data == first.content
    assert client.get(f"/r/{second_token}").data == second.content


def test_a_purged_report_link_says_it_is_gone(client, db, two_reports):
    report, _ = two_reports
    token = links.make_token(report)
    db.session.delete(report)
    db.session.commit()
    response = client.get(f"/r/{token}")
    assert response.status_code == 404 and "더 이상 제공되지 않습니다" in response.get_data(as_text=True)


@pytest.fixture
def app_config():
    """SMTP pointed at a port where nothing listens; retries without waiting."""
    return {}


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": free_port(),
            "MAIL_TIMEOUT": 2,
            "MAIL_RETRY_INTERVALS": [0, 0],
        }
    ],
)
def test_smtp_down_retries_then_fails_visibly_and_nothing_else_fails(client, auth, db, make_schedule, app_config):
    schedule = make_schedule(recipients=["cio@example.kr"])
    run = run_and_wait(db, schedule)
    report = db.session.get(Report, run.report_id)
    assert run.status == "DELIVERY_FAILED" and report.status == "DONE"  # built fine, but never delivered
    assert run.error == "1개 중 1개의 이메일을 보내지 못했습니다."
    link_mail = db.session.scalar(select(EmailDelivery).where(EmailDelivery.kind == "LINK"))
    assert link_mail.status == "FAILED" and link_mail.attempts == 3
    assert "refused" in link_mail.last_error.lower() or "connect" in link_mail.last_error.lower()
    notice = db.session.scalar(select(EmailDelivery).where(EmailDelivery.kind == "NOTICE"))
    assert notice.recipient == "pm@acme.example.kr" and notice.status == "FAILED"  # the owner's e-mail cannot go either
    auth.login("pm")
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'data-status="DELIVERY_FAILED"' in page and "발송 실패" in page and "3회 시도" in page and "소유자 알림" in page
    assert (
        "예약 보고서는 생성되었지만 이메일 1개 중 1개를 보내지 못했습니다." in page
    )  # the owner's in-app notice, on the page they visit
    api_run = client.get(f"/api/auto-report/schedule/{schedule.id}").get_json()["runs"][0]
    assert api_run["status"] == "DELIVERY_FAILED" and api_run["emails"] == {"SENT": 0, "PENDING": 0, "FAILED": 1}
    # Another schedule still runs: its report is built, and its own e-mail attempts are independent.
    other = run_and_wait(db, make_schedule(recipients=["ops@example.kr"]))
    assert db.session.get(Report, other.report_id).status == "DONE" and other.status == "DELIVERY_FAILED"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(EmailDelivery)
            .where(EmailDelivery.run_id == other.id, EmailDelivery.kind == "LINK", EmailDelivery.attempts == 3)
        )
        == 1
    )


def test_owner_notice_when_the_report_fails(app, db, make_schedule, tenant):
    schedule = make_schedule()
    run = ScheduleRun(tenant_id=tenant.id, schedule_id=schedule.id, scheduled_for=utcnow(), status="QUEUED")
    report = Report(
        tenant_id=tenant.id,
        template="weekly_ops",
        period_start=utcnow().date(),
        period_end=utcnow().date(),
        format="excel",
        status="FAILED",
        error="보고서를 만들 수 없습니다",
        schedule_id=schedule.id,
    )
    db.session.add_all([run, report])
    db.session.flush()
    run.report_id = report.id
    db.session.commit()
    finish_run_for_report(report.id)
    wait_for_embedded_jobs(30)
    db.session.refresh(run)
    assert run.status == "FAILED" and run.error == "보고서를 만들 수 없습니다"
    [notice] = outbox(app)
    assert notice.to == ["pm@acme.example.kr"] and "확인 필요" in notice.subject
    assert "보고서를 만들 수 없습니다" in notice.body


def test_skip_when_the_period_has_no_data(app, db, make_schedule):
    schedule = make_schedule(skip_when_empty=True)
    run = run_and_wait(db, schedule)
    assert run.status == "SKIPPED"
    assert outbox(app) == []


def test_generate_now_with_email_sends_the_link(app, db, tenant):
    from webapp.reports.service import request_report

    report = request_report(
        tenant, "monthly_sla", utcnow().date().replace(day=1), utcnow().date(), "excel", deliver_to=["boss@example.kr"]
    )
    wait_for_embedded_jobs(30)
    [message] = outbox(app)
    assert message.to == ["boss@example.kr"] and "월간 SLA 보고서" in message.subject
    delivery = db.session.scalar(select(EmailDelivery))
    assert delivery.report_id == report.id and delivery.run_id is None and delivery.status == "SENT"


@pytest.mark.parametrize("app_config", [{"MAIL_BACKEND": "file"}])
def test_admin_reads_the_outbox_of_their_institution_only(app, client, auth, db, make_schedule, other_tenant, app_config):
    run_and_wait(db, make_schedule(recipients=["cio@example.kr"]))
    run_and_wait(db, make_schedule(tenant_id=other_tenant.id, recipients=["secret@other.kr"]))
    auth.login("admin")
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "cio@example.kr" in listing and "secret@other.kr" not in listing
    assert app.config["MAIL_FILE_PATH"] not in listing and "/tmp" not in listing  # no server path is shown
    key = re.search(r'/admin/outbox/([^"]+)"', listing).group(1)
    message = client.get(f"/admin/outbox/{key}").get_data(as_text=True)
    assert "/r/" in message and "주간 운영 보고서" in message
    assert client.get("/admin/outbox/..%2F..%2Fsecret_key:0").status_code == 404
    auth.logout()
    auth.login("pm")
    assert client.get("/admin/outbox").status_code == 403
