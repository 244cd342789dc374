"""Report templates declare their roles (SPEC §2): STAFF never reaches monthly_cost or capacity_plan, at any entry."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from webapp.models import ApiToken, Report, User
from webapp.models.schedules import ReportSchedule
from webapp.reports.registry import TEMPLATES, templates_for
from webapp.reports.service import build_report
from webapp.schedules import links
from webapp.schedules import service as schedule_service

from ..factories import add_report

HX = {"HX-Request": "true"}
COST_TEMPLATES = ("capacity_plan", "monthly_cost")
SR_TEMPLATES = ("weekly_ops", "monthly_sla", "incident_rca")


def user(db, tenant, username: str) -> User:
    """The tenant's user by name."""
    return db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))


def bearer(db, tenant, username: str) -> dict:
    """Authorization headers of a fresh API token of the user (API writes need a token or the CSRF header)."""
    _token, raw = ApiToken.issue(user(db, tenant, username), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def reports_stored(db) -> int:
    """How many report rows exist."""
    return db.session.scalar(select(func.count()).select_from(Report))


@pytest.fixture
def cost_report(db, tenant, costs):
    """A DONE monthly_cost workbook of March 2026 (the `costs` fixture's figures are in it)."""
    return build_report(add_report(tenant, template="monthly_cost", fmt="excel").id)


def test_registry_declares_the_cost_templates_for_admin_and_pm_only(db, tenant):
    assert {code for code, t in TEMPLATES.items() if t.roles == ("ADMIN", "PM")} == set(COST_TEMPLATES)
    assert list(templates_for(user(db, tenant, "staff"))) == list(SR_TEMPLATES)
    assert list(templates_for(user(db, tenant, "pm"))) == list(TEMPLATES)
    assert list(templates_for(None)) == []


@pytest.mark.parametrize(("role", "expected"), [("staff", SR_TEMPLATES), ("pm", tuple(TEMPLATES)), ("admin", tuple(TEMPLATES))])
def test_template_list_and_form_choices_follow_the_role(client, auth, tenant, role, expected):
    auth.login(role)
    assert tuple(t["code"] for t in client.get("/api/auto-report/templates").get_json()) == expected
    page = client.get("/reports/").get_data(as_text=True)
    form = page[page.index('name="template"') :]
    assert tuple(re.findall(r'<option[^>]*value="(\w+)"', form[: form.index("</select>")])) == expected


def test_staff_asking_the_form_for_a_cost_template_gets_the_first_allowed_one(client, auth, tenant):
    auth.login("staff")
    fragment = client.get("/reports/?template=monthly_cost", headers={**HX, "HX-Target": "report-form"}).get_data(as_text=True)
    assert re.search(r'<option selected value="weekly_ops"|<option value="weekly_ops" selected', fragment)
    assert "monthly_cost" not in fragment and "월간 IT 비용 보고서" not in fragment


@pytest.mark.parametrize("code", COST_TEMPLATES)
def test_staff_cannot_generate_a_cost_template_by_api(client, db, tenant, code):
    response = client.post(
        "/api/auto-report/generate", json={"template": code, "format": "excel"}, headers=bearer(db, tenant, "staff")
    )
    assert response.status_code == 403
    detail = response.get_json()["detail"]
    assert code in detail and "ADMIN, PM" in detail and TEMPLATES[code].name in detail
    assert reports_stored(db) == 0


@pytest.mark.parametrize("code", COST_TEMPLATES)
def test_staff_cannot_generate_a_cost_template_by_the_form(client, auth, db, tenant, code):
    auth.login("staff")
    for headers in ({}, HX):
        response = client.post("/reports/", data={"template": code, "period": "default", "format": "excel"}, headers=headers)
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert code in page and "ADMIN, PM" in page and "역할만 사용할 수 있습니다" in page
    assert reports_stored(db) == 0


def test_pm_may_generate_the_cost_report(client, db, tenant, costs):
    response = client.post(
        "/api/auto-report/generate",
        json={"template": "monthly_cost", "period_start": "2026-03-01", "period_end": "2026-03-31", "wait": 30},
        headers=bearer(db, tenant, "pm"),
    )
    assert response.status_code == 200 and response.get_json()["status"] == "DONE"


def test_print_view_of_the_cost_report_is_refused_to_staff(client, auth, tenant, costs):
    auth.login("staff")
    response = client.get("/reports/print/monthly_cost?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 403 and "₩8,500,000" not in response.get_data(as_text=True)
    assert "ADMIN, PM" in response.get_data(as_text=True)
    assert client.get("/reports/print/weekly_ops?start=2026-03-01&end=2026-03-31").status_code == 200
    auth.logout()
    auth.login("pm")
    assert "₩8,500,000" in client.get("/reports/print/monthly_cost?start=2026-03-01&end=2026-03-31").get_data(as_text=True)


def test_staff_lists_only_the_reports_of_their_templates(client, auth, db, tenant, cost_report):
    capacity = add_report(tenant, "FAILED", template="capacity_plan", error="capacity-error")
    weekly = add_report(tenant, "FAILED", template="weekly_ops", error="weekly-error")
    auth.login("staff")
    listed = client.get("/api/auto-report/list")
    assert [r["id"] for r in listed.get_json()] == [weekly.id] and listed.headers["X-Total-Count"] == "1"
    assert client.get("/api/auto-report/list?template=monthly_cost").get_json() == []
    page = client.get("/reports/").get_data(as_text=True)
    assert f'id="report-{weekly.id}"' in page
    assert f'id="report-{cost_report.id}"' not in page and f'id="report-{capacity.id}"' not in page
    auth.logout()
    auth.login("pm")
    assert {r["id"] for r in client.get("/api/auto-report/list").get_json()} == {weekly.id, capacity.id, cost_report.id}


@pytest.mark.parametrize(
    "path", ["/reports/{id}", "/reports/{id}/download", "/api/auto-report/{id}", "/api/auto-report/{id}/download"]
)
def test_staff_cannot_open_or_download_a_cost_report(client, auth, tenant, cost_report, path):
    auth.login("staff")
    response = client.get(path.format(id=cost_report.id))
    assert response.status_code == 403
    assert "monthly_cost" in response.get_data(as_text=True) and not response.data.startswith(b"PK")
    auth.logout()
    auth.login("pm")
    assert client.get(path.format(id=cost_report.id)).status_code == 200


def test_htmx_row_of_a_cost_report_is_refused_to_staff(client, auth, tenant, cost_report):
    auth.login("staff")
    assert client.get(f"/reports/{cost_report.id}", headers=HX).status_code == 403


def test_another_tenants_cost_report_stays_a_404(client, auth, db, tenant, other_tenant):
    foreign = add_report(other_tenant, "DONE", template="monthly_cost", content=b"x", size=1, content_type="application/pdf")
    auth.login("staff")
    assert client.get(f"/api/auto-report/{foreign.id}").status_code == 404
    assert client.get(f"/reports/{foreign.id}/download").status_code == 404


def test_signed_link_of_a_cost_report_still_works_for_its_recipients(client, app, tenant, cost_report):
    response = client.get(links.LINK_PATH + links.make_token(cost_report))
    assert response.status_code == 200 and response.data == cost_report.content


SCHEDULE = {
    "template": "monthly_cost",
    "cron": "0 8 1 * *",
    "timezone": "Asia/Seoul",
    "format": "excel",
    "recipients": ["cfo@example.kr"],
}


def test_schedules_honour_template_roles_whoever_may_manage_them(db, tenant):
    """The schedule rules themselves refuse a template the user's role may not use (not only the MANAGERS gate)."""
    staff, pm = user(db, tenant, "staff"), user(db, tenant, "pm")
    with pytest.raises(Forbidden) as refused:
        schedule_service.create_schedule(tenant, staff, SCHEDULE)
    assert "monthly_cost" in refused.value.description and "ADMIN, PM" in refused.value.description
    assert db.session.scalar(select(func.count()).select_from(ReportSchedule)) == 0
    weekly = schedule_service.create_schedule(tenant, staff, {**SCHEDULE, "template": "weekly_ops"})
    with pytest.raises(Forbidden):
        schedule_service.update_schedule(weekly, staff, {**SCHEDULE, "template": "capacity_plan"})
    db.session.refresh(weekly)
    assert weekly.template == "weekly_ops"
    assert schedule_service.create_schedule(tenant, pm, SCHEDULE).template == "monthly_cost"


def test_schedule_api_and_pages_list_and_open_cost_schedules_for_managers(client, auth, db, tenant):
    schedule = schedule_service.create_schedule(tenant, user(db, tenant, "pm"), SCHEDULE)
    auth.login("pm")
    assert [s["id"] for s in client.get("/api/auto-report/schedule").get_json()] == [schedule.id]
    assert client.get(f"/api/auto-report/schedule/{schedule.id}").status_code == 200
    choices = client.get("/schedules/new").get_data(as_text=True)
    assert 'value="monthly_cost"' in choices and 'value="capacity_plan"' in choices
    auth.logout()
    auth.login("staff")
    assert client.get(f"/api/auto-report/schedule/{schedule.id}").status_code == 403
    assert client.get(f"/schedules/{schedule.id}").status_code == 403
