"""Budget alerts through real SMTP on loopback: once per crossing of 90 % and 110 %, to the tenant's ADMINs and PMs only."""

import email
import email.policy
from decimal import Decimal as D

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from webapp.analytics.periods import add_months, current_month
from webapp.budgets.alerts import check_budget_alerts
from webapp.extensions import db
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, BudgetAlert, BudgetAlertRecipient, User
from webapp.schedules.scheduler import maintenance_job

from ..factories import add_budget, add_cost
from ..schedules.conftest import free_port

YEAR, MONTH = current_month("Asia/Seoul")


class Inbox:
    """An SMTP server's mailbox: every message it accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def take(self):
        """The messages received since the last take(), after every queued job has run."""
        wait_for_embedded_jobs(timeout=30)
        taken, self.messages = self.messages, []
        return taken


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    """A real SMTP server on loopback."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def app_config(smtp_port):
    """Mail goes over SMTP to the loopback server."""
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_RETRY_INTERVALS": [1]}


@pytest.fixture
def budgeted(tenant, other_tenant, factory, inbox):
    """This year: an institution budget of 1,000,000 every month (so the year-end forecast stays far below)."""
    factory.user(tenant, "pm2", "PM")
    factory.user(tenant, "gone", "ADMIN", active=False)
    factory.user(other_tenant, "pm-other", "PM")
    for month in range(1, 13):
        add_budget(tenant, YEAR, month, "1000000")
        add_budget(other_tenant, YEAR, month, "1000000")
    inbox.take()
    return tenant


class Api:
    """Calls the JSON API with a user's bearer token, as integrations do."""

    def __init__(self, client, tenant, username):
        user = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))
        _token, raw = ApiToken.issue(user, "alerts test")
        db.session.commit()
        self.client, self.headers = client, {"Authorization": f"Bearer {raw}"}

    def __getattr__(self, method):
        call = getattr(self.client, method)
        return lambda path, **kwargs: call(path, headers=self.headers, **kwargs)


def post_cost(api, amount, service="ERP", month=MONTH):
    """Add a cost through the API; returns its id."""
    response = api.post(
        "/api/finops/costs", json={"year": YEAR, "month": month, "category": "SERVER", "service": service, "amount": amount}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def told(messages):
    """The recipients of the messages, sorted."""
    return sorted(address for message in messages for address in message["To"].split(","))


ACME_TOLD = ["admin@acme.example.kr", "pm2@acme.example.kr", "pm@acme.example.kr"]


def test_one_email_per_crossing_never_repeated_and_new_after_falling_below(client, budgeted, inbox):
    client = Api(client, budgeted, "pm")
    first = post_cost(client, "850000")
    assert inbox.take() == []  # 85 %
    post_cost(client, "60000")
    at_90 = inbox.take()  # 91 %
    assert told(at_90) == ACME_TOLD  # every active ADMIN and PM of the tenant, nobody else
    assert all(f"{YEAR}-{MONTH:02d}" in m["Subject"] and "90%" in m["Subject"] for m in at_90)

    client.patch(f"/api/finops/costs/{first}", json={"amount": "890000"})  # 95 %: still above 90
    assert inbox.take() == []
    second = post_cost(client, "250000")  # 120 %
    at_110 = inbox.take()
    assert told(at_110) == ACME_TOLD and all("110%" in m["Subject"] for m in at_110)
    post_cost(client, "10000")  # 121 %: still above 110
    assert inbox.take() == []

    client.delete(f"/api/finops/costs/{second}")  # 96 %: below 110, still above 90
    assert inbox.take() == []
    client.patch(f"/api/finops/costs/{first}", json={"amount": "100000"})  # 17 %: below both
    assert inbox.take() == []
    client.patch(f"/api/finops/costs/{first}", json={"amount": "1000000"})  # 107 %: crosses 90 again
    again = inbox.take()
    assert told(again) == ACME_TOLD and all("90%" in m["Subject"] for m in again)

    alerts = db.session.scalars(select(BudgetAlert).order_by(BudgetAlert.id)).all()
    assert [(a.kind, a.threshold_pct, a.usage_pct) for a in alerts] == [
        ("USAGE", 90, D("91.0")),
        ("USAGE", 110, D("120.0")),
        ("USAGE", 90, D("107.0")),
    ]
    assert all(r.status == "SENT" and r.sent_at for a in alerts for r in a.recipients)


def test_the_email_carries_the_figures_and_a_link(client, budgeted, inbox):
    post_cost(Api(client, budgeted, "pm"), "1117000", service="GROUPWARE")
    message = next(m for m in inbox.take() if m["To"] == "pm@acme.example.kr")
    assert message["Subject"].strip() == f"[에이크미 기관] 예산 경보: 기관 전체 {YEAR}-{MONTH:02d} 예산의 110%에 도달했습니다"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "₩1,000,000" in part and "₩1,117,000" in part and "111.7%" in part and "₩117,000" in part
        assert (
            f"http://localhost/budgets/year?year={YEAR}&amp;service=ALL" in part
            or f"http://localhost/budgets/year?year={YEAR}&service=ALL" in part
        )
    assert "사용률이 110%에 도달했습니다" in text and "초과액" in text


def test_a_service_budget_alerts_on_its_own_costs(client, budgeted, inbox):
    add_budget(budgeted, YEAR, MONTH, "100000", service="SECURITY")
    post_cost(Api(client, budgeted, "pm"), "95000", service="SECURITY")  # SECURITY 95 %; the institution 9.5 %
    messages = inbox.take()
    assert told(messages) == ACME_TOLD and all("SECURITY" in m["Subject"] for m in messages)
    alert = db.session.scalar(select(BudgetAlert))
    assert (alert.service, alert.threshold_pct, alert.actual_amount) == ("SECURITY", 90, D("95000.00"))


def test_a_budget_change_is_checked_too(client, budgeted, inbox):
    add_cost(budgeted, YEAR, MONTH, "SERVER", "ERP", "500000")  # straight to the database: nobody checks yet
    response = Api(client, budgeted, "admin").post(
        "/api/finops/budget", json={"year": YEAR, "month": MONTH, "service": "ALL", "amount": "520000"}
    )
    assert response.status_code == 201
    assert told(inbox.take()) == ACME_TOLD  # 500,000 of 520,000 = 96.2 %


def test_the_cost_form_triggers_the_check(client, auth, budgeted, inbox):
    auth.login("pm")
    response = client.post(
        "/costs/",
        data={
            "year": str(YEAR),
            "month": str(MONTH),
            "category": "SERVER",
            "service": "ERP",
            "amount": "950,000",
            "description": "",
            "department": "IT",
        },
    )
    assert response.status_code in (200, 302)
    assert told(inbox.take()) == ACME_TOLD


def test_another_tenant_is_never_told(client, budgeted, other_tenant, inbox):
    post_cost(Api(client, other_tenant, "admin"), "990000")
    assert told(inbox.take()) == ["admin@other.example.kr", "pm-other@other.example.kr"]
    assert db.session.scalars(select(BudgetAlert.tenant_id)).all() == [other_tenant.id]


def test_the_daily_check_catches_what_no_hook_saw_and_tells_it_once(budgeted, inbox):
    add_cost(budgeted, YEAR, MONTH, "SERVER", "ERP", "1200000")  # e.g. restored from a backup: no hook ran
    maintenance_job()
    assert told(inbox.take()) == ACME_TOLD
    maintenance_job()
    assert inbox.take() == []
    assert db.session.scalar(select(BudgetAlert.threshold_pct)) == 110  # straight past both: one alert, the higher


def test_the_forecast_alert_comes_once(tenant, inbox):
    for month in range(1, 13):
        add_budget(tenant, YEAR, month, "100000")  # annual budget 1,200,000
    for offset in (-3, -2, -1, 0):
        add_cost(tenant, *add_months(YEAR, MONTH, offset), "SERVER", "ERP", "310000")
    today = (YEAR, MONTH)
    raised = check_budget_alerts(tenant.id, today=today)
    forecasts = db.session.scalars(select(BudgetAlert).where(BudgetAlert.kind == "FORECAST")).all()
    assert len(forecasts) == 1 and forecasts[0].id in raised and forecasts[0].month is None
    assert forecasts[0].actual_amount > forecasts[0].budget_amount == D("1200000.00")
    messages = [m for m in inbox.take() if "연말 예측" in m["Subject"]]
    assert told(messages) == ["admin@acme.example.kr", "pm@acme.example.kr"]
    check_budget_alerts(tenant.id, today=today)
    add_cost(tenant, YEAR, MONTH, "SERVER", "ERP", "1")
    check_budget_alerts(tenant.id, today=today)
    assert db.session.query(BudgetAlert).filter(BudgetAlert.kind == "FORECAST").count() == 1


def test_alerts_are_listed_by_the_api_and_shown_on_the_pages(client, auth, budgeted, inbox):
    post_cost(Api(client, budgeted, "pm"), "930000")
    auth.login("pm")
    inbox.take()
    answer = client.get(f"/api/finops/budget/alerts?year={YEAR}").get_json()
    assert answer["year"] == YEAR and answer["alert_count"] == 1
    (alert,) = answer["alerts"]
    assert {k: alert[k] for k in ("kind", "year", "month", "service", "threshold_pct", "usage_pct", "budget", "actual")} == {
        "kind": "USAGE",
        "year": YEAR,
        "month": MONTH,
        "service": "ALL",
        "threshold_pct": 90,
        "usage_pct": 93.0,
        "budget": 1000000,
        "actual": 930000,
    }
    assert sorted(r["username"] for r in alert["recipients"]) == ["admin", "pm", "pm2"]
    assert all(r["status"] == "SENT" and r["sent_at"] for r in alert["recipients"])
    assert client.get(f"/api/finops/budget/alerts?year={YEAR - 1}").get_json()["alert_count"] == 0
    assert client.get("/api/finops/budget/alerts?year=abc").status_code == 400

    year_page = client.get(f"/budgets/year?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="budget-alerts"' in year_page and f"{YEAR}-{MONTH:02d} 예산의 90%에 도달" in year_page
    assert "pm2" in year_page and "발송" in year_page
    dashboard = client.get(f"/dashboard?year={YEAR}&month={MONTH}").get_data(as_text=True)
    assert f"{YEAR}-{MONTH:02d} 예산의 90%에 도달" in dashboard and "3명에게 알림" in dashboard


def test_staff_cannot_list_alerts(client, auth, budgeted):
    auth.login("staff")
    assert client.get("/api/finops/budget/alerts").status_code == 403


def test_recipients_of_a_raised_alert_are_recorded_even_before_sending(budgeted):
    add_cost(budgeted, YEAR, MONTH, "SERVER", "ERP", "950000")
    (alert_id,) = check_budget_alerts(budgeted.id)
    rows = db.session.scalars(select(BudgetAlertRecipient).where(BudgetAlertRecipient.alert_id == alert_id)).all()
    assert sorted(r.email for r in rows) == ACME_TOLD
    wait_for_embedded_jobs(timeout=30)


def test_the_cli_checks_now(runner, budgeted, inbox):
    add_cost(budgeted, YEAR, MONTH, "SERVER", "ERP", "950000")
    result = runner.invoke(args=["budgets", "check-alerts", "--tenant", "acme"])
    assert result.exit_code == 0 and "raised 1 budget alert(s)" in result.output
    assert told(inbox.take()) == ACME_TOLD
    assert "raised 0 budget alert(s)" in runner.invoke(args=["budgets", "check-alerts"]).output


def test_a_first_full_check_tells_only_about_the_open_months_then_every_change(client, budgeted, inbox, db):
    old = add_months(YEAR, MONTH, -3)
    add_cost(budgeted, *old, "SERVER", "ERP", "950000")  # history: 95 % three months ago
    add_cost(budgeted, *add_months(YEAR, MONTH, -1), "SERVER", "ERP", "960000")  # last month, still open: 96 %
    maintenance_job()
    assert told(inbox.take()) == ACME_TOLD  # one alert, for last month only
    assert db.session.scalars(select(BudgetAlert.month)).all() == [add_months(YEAR, MONTH, -1)[1]]
    if old[0] == YEAR:  # a later change to the old month is news again (budgets exist for this year only)
        post_cost(Api(client, budgeted, "pm"), "200000", month=old[1])  # 115 %
        assert told(inbox.take()) == ACME_TOLD
