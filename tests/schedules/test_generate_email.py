"""Generate now, and e-mail the link: the 보고서 form's checkbox and POST /api/auto-report/generate {send_email, email}."""

import re

from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, Report, User
from webapp.models.schedules import EmailDelivery

from .conftest import outbox


def test_report_form_can_email_the_link(client, auth, app, db, tenant):
    auth.login("staff")  # STAFF may generate reports, so they may have them e-mailed too
    response = client.post(
        "/reports/",
        data={
            "template": "weekly_ops",
            "period": "default",
            "format": "excel",
            "send_email": "y",
            "email": "boss@example.kr, cio@example.kr",
        },
    )
    assert response.status_code == 302
    wait_for_embedded_jobs(30)
    assert sorted(m.to[0] for m in outbox(app)) == ["boss@example.kr", "cio@example.kr"]
    report = db.session.scalar(select(Report))
    path = re.search(r"http://localhost(/r/\S+)", outbox(app)[0].body).group(1)
    auth.logout()
    assert client.get(path).data == report.content


def test_report_form_refuses_a_bad_address_and_queues_nothing(client, auth, db, tenant):
    auth.login("pm")
    response = client.post(
        "/reports/", data={"template": "weekly_ops", "period": "default", "format": "excel", "send_email": "y", "email": "boss@"}
    )
    assert response.status_code == 422 and 'id="email-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_report_form_without_the_box_sends_nothing(client, auth, app, db, tenant):
    auth.login("pm")
    client.post("/reports/", data={"template": "weekly_ops", "period": "default", "format": "excel", "email": "boss@example.kr"})
    wait_for_embedded_jobs(30)
    assert outbox(app) == [] and db.session.scalar(select(func.count()).select_from(EmailDelivery)) == 0


def test_api_generate_with_send_email(client, app, db, tenant):
    user = db.session.scalar(select(User).where(User.username == "pm"))
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    response = client.post(
        "/api/auto-report/generate",
        headers={"Authorization": f"Bearer {raw}"},
        json={"template": "monthly_sla", "format": "excel", "send_email": True, "email": "boss@example.kr"},
    )
    assert response.status_code in (200, 201, 202), response.get_json()
    wait_for_embedded_jobs(30)
    [message] = outbox(app)
    assert message.to == ["boss@example.kr"] and "월간 SLA 보고서" in message.subject
