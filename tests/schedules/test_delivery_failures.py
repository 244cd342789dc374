"""SMTP down, against a real SMTP server (aiosmtpd) that refuses a mailbox or is stopped: the run shows
DELIVERY_FAILED ("발송 실패"), not DONE, and its owner gets an in-app notice they can dismiss."""

import pytest
from sqlalchemy import select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import Notice, Report
from webapp.models.schedules import EmailDelivery, ScheduleRun
from webapp.reports.service import request_report
from webapp.schedules.runs import run_now

from ..factories import MARCH
from .conftest import SmtpServer, free_port


@pytest.fixture
def smtp():
    """A real SMTP server on a port of its own that refuses bounce@example.kr for good."""
    server = SmtpServer(free_port(), refuse=["bounce@example.kr"])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    """Mail through that server; two immediate retries."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_TIMEOUT": 2,
        "MAIL_RETRY_INTERVALS": [0, 0],
    }


def run_and_wait(db, schedule) -> ScheduleRun:
    """Run now and wait for the report and every e-mail attempt."""
    run = run_now(schedule)
    wait_for_embedded_jobs(60)
    db.session.expire_all()
    return db.session.get(ScheduleRun, run.id)


def link_mails(db, run):
    """(recipient, status, attempts) of the run's link e-mails."""
    return db.session.execute(
        select(EmailDelivery.recipient, EmailDelivery.status, EmailDelivery.attempts)
        .where(EmailDelivery.run_id == run.id, EmailDelivery.kind == "LINK")
        .order_by(EmailDelivery.recipient)
    ).all()


def test_one_refused_mailbox_makes_the_run_a_failed_delivery_and_tells_the_owner(client, auth, db, make_schedule, smtp):
    schedule = make_schedule(recipients=["cio@example.kr", "bounce@example.kr"])
    run = run_and_wait(db, schedule)
    assert link_mails(db, run) == [("bounce@example.kr", "FAILED", 3), ("cio@example.kr", "SENT", 1)]
    assert run.status == "DELIVERY_FAILED" and run.error == "2개 중 1개의 이메일을 보내지 못했습니다."
    assert db.session.get(Report, run.report_id).status == "DONE"
    received = sorted(message["To"] for message in smtp.inbox.messages)
    assert received == ["cio@example.kr", "pm@acme.example.kr"]  # the link, and the owner's e-mail notice
    [notice] = db.session.scalars(select(Notice)).all()
    assert notice.user_id == schedule.owner_id and notice.kind == "DELIVERY_FAILED"
    assert notice.link == f"/schedules/{schedule.id}" and "주간 운영 보고서" in notice.message
    auth.login("pm")
    history = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'data-status="DELIVERY_FAILED"' in history and "발송 실패" in history
    assert client.get(f"/api/auto-report/schedule/{schedule.id}").get_json()["runs"][0]["emails"] == {
        "SENT": 1,
        "PENDING": 0,
        "FAILED": 1,
    }


def test_smtp_stopped_between_two_runs(db, make_schedule, smtp):
    schedule = make_schedule(recipients=["cio@example.kr"])
    first = run_and_wait(db, schedule)
    assert first.status == "DONE" and link_mails(db, first) == [("cio@example.kr", "SENT", 1)]
    smtp.stop()  # SMTP goes down
    second = run_and_wait(db, schedule)
    assert second.status == "DELIVERY_FAILED" and link_mails(db, second) == [("cio@example.kr", "FAILED", 3)]
    owner_mail = db.session.scalar(select(EmailDelivery).where(EmailDelivery.kind == "NOTICE"))
    assert owner_mail.status == "FAILED"  # the owner's e-mail cannot go either ...
    notices = db.session.scalars(select(Notice)).all()
    assert [n.kind for n in notices] == ["DELIVERY_FAILED"]  # ... so the app tells them, once, about the second run
    assert db.session.get(ScheduleRun, first.id).status == "DONE"


def test_the_owner_sees_the_notice_on_any_page_and_dismisses_it(client, auth, db, make_schedule, smtp):
    smtp.stop()
    schedule = make_schedule(recipients=["cio@example.kr"])
    run_and_wait(db, schedule)
    notice = db.session.scalar(select(Notice))
    auth.login("pm")
    for path in ("/reports/", "/schedules/", "/dashboard"):
        page = client.get(path).get_data(as_text=True)
        assert f'id="notice-{notice.id}"' in page and "예약 보고서는 생성되었지만 이메일 1개 중 1개를 보내지 못했습니다." in page
    auth.logout()
    auth.login("admin")
    assert f'id="notice-{notice.id}"' not in client.get("/reports/").get_data(as_text=True)  # the owner's, not everyone's
    assert client.post(f"/notices/{notice.id}/dismiss").status_code == 404
    auth.logout()
    auth.login("pm")
    response = client.post(f"/notices/{notice.id}/dismiss", data={"next": "/reports/"})
    assert response.status_code == 302 and response.headers["Location"] == "/reports/"
    assert f'id="notice-{notice.id}"' not in client.get("/reports/").get_data(as_text=True)
    listing = client.get("/notices/").get_data(as_text=True)
    assert f'id="notice-row-{notice.id}"' in listing and 'data-read="yes"' in listing


def test_dismissing_with_htmx_removes_the_notice_in_place(client, auth, db, make_schedule, smtp):
    smtp.stop()
    run_and_wait(db, make_schedule(recipients=["cio@example.kr"]))
    run_and_wait(db, make_schedule(recipients=["ops@example.kr"]))
    first, second = db.session.scalars(select(Notice).order_by(Notice.id)).all()
    auth.login("pm")
    response = client.post(f"/notices/{first.id}/dismiss", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    page = client.get("/reports/").get_data(as_text=True)
    assert f'id="notice-{first.id}"' not in page and f'id="notice-{second.id}"' in page
    client.post("/notices/dismiss", data={"next": "/notices/"})
    assert 'data-testid="notices"' not in client.get("/reports/").get_data(as_text=True)


def test_a_report_generated_with_email_tells_its_requester_when_the_email_fails(client, auth, db, tenant, smtp):
    smtp.stop()
    pm = next(u for u in tenant.users if u.role == "PM")
    report = request_report(tenant, "weekly_ops", *MARCH, "excel", user=pm, deliver_to=["boss@example.kr"])
    wait_for_embedded_jobs(60)
    delivery = db.session.scalar(select(EmailDelivery))
    assert (delivery.status, delivery.attempts) == ("FAILED", 3)
    notice = db.session.scalar(select(Notice))
    assert notice.user_id == pm.id and notice.kind == "EMAIL_FAILED" and "boss@example.kr" in notice.message
    assert notice.link == f"/reports/{report.id}"
