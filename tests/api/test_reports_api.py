"""Report API of SPEC §7: templates, generate, list, status, download — validation, roles and tenant isolation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, Report
from webapp.reports.periods import today_in

from ..factories import add_report
from ..reports.conftest import march  # noqa: F401  (fixture)

BODY = {"template": "weekly_ops", "period_start": "2026-03-01", "period_end": "2026-03-31", "format": "excel"}


@pytest.fixture
def api(client, db, tenant):
    """A client wrapper that calls the API with a bearer token of the chosen role (default PM)."""

    class Api:
        role = "PM"

        def headers(self):
            user = next(u for u in tenant.users if u.role == self.role)
            _token, raw = ApiToken.issue(user, "test")
            db.session.commit()
            return {"Authorization": f"Bearer {raw}"}

        def get(self, url, **kw):
            return client.get(url, headers=self.headers(), **kw)

        def post(self, url, **kw):
            return client.post(url, headers=self.headers(), **kw)

    return Api()


def test_templates_are_the_five_of_the_spec(api):
    api.role = "PM"
    assert api.get("/api/auto-report/templates").get_json() == [
        {
            "code": "weekly_ops",
            "name": "주간 운영 보고서",
            "label": "주간 운영 보고서",
            "period": "WEEKLY",
            "format": ["excel", "pdf"],
        },
        {
            "code": "monthly_sla",
            "name": "월간 SLA 보고서",
            "label": "월간 SLA 보고서",
            "period": "MONTHLY",
            "format": ["excel", "pdf"],
        },
        {"code": "incident_rca", "name": "인시던트 분석", "label": "인시던트 분석", "period": "MONTHLY", "format": ["pdf"]},
        {
            "code": "capacity_plan",
            "name": "용량 계획 보고서",
            "label": "용량 계획 보고서",
            "period": "QUARTERLY",
            "format": ["excel"],
        },
        {
            "code": "monthly_cost",
            "name": "월간 IT 비용 보고서",
            "label": "월간 IT 비용 보고서",
            "period": "MONTHLY",
            "format": ["excel", "pdf"],
        },
    ]


def test_generate_queues_and_reports_the_status(api, march):  # noqa: F811
    response = api.post("/api/auto-report/generate", json=BODY)
    assert response.status_code == 202
    body = response.get_json()
    assert body["ok"] is True and body["status"] in ("QUEUED", "RUNNING", "DONE")
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"} and body["template"] == "weekly_ops"
    wait_for_embedded_jobs(timeout=60)
    status = api.get(f"/api/auto-report/{body['report_id']}").get_json()
    assert status["status"] == "DONE" and status["data_summary"]["completion_rate"] == 57.1
    assert status["download_url"] == f"/api/auto-report/{body['report_id']}/download"


def test_generate_can_wait_for_the_data_summary(api, march):  # noqa: F811
    response = api.post("/api/auto-report/generate", json={**BODY, "template": "monthly_sla", "wait": 30})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "DONE"
    assert body["data_summary"] == {
        "template": "monthly_sla",
        "period": {"start": "2026-03-01", "end": "2026-03-31"},
        "created": 7,
        "resolved": 4,
        "open_now": 3,
        "completion_rate": 57.1,
        "mttr_hours": 14.3,
        "sr_total": 7,
        "sr_done": 4,
        "sr_open": 3,
        "sla_compliance": 75,
        "sla_breaches": body["data_summary"]["sla_breaches"],
    }


def test_generate_defaults_to_excel_and_the_default_period(api):
    api.role = "STAFF"
    body = api.post("/api/auto-report/generate", json={"template": "monthly_sla"}).get_json()
    today = today_in("Asia/Seoul")
    assert body["period"] == {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    assert body["format"] == "excel"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"template": "weekly"}, "weekly_ops, monthly_sla, incident_rca, capacity_plan, monthly_cost"),
        ({"template": None}, "허용되는 값: weekly_ops"),
        ({"format": "docx"}, "excel, pdf"),
        ({"template": "incident_rca", "format": "excel"}, "pdf"),
        ({"template": "capacity_plan", "format": "pdf"}, "excel"),
        ({"period_start": "2026-04-01"}, "2026-04-01"),
        ({"period_start": "01/03/2026"}, "YYYY-MM-DD"),
        ({"period_end": None}, "YYYY-MM-DD"),
        ({"send_email": True}, "email"),
        ({"send_email": True, "email": "not-an-address"}, "not-an-address"),
        ({"wait": "soon"}, "wait"),
    ],
)
def test_bad_requests_answer_400_naming_the_allowed_values(api, db, changes, expected):
    body = {**BODY, **changes}
    response = api.post("/api/auto-report/generate", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 400
    assert expected in response.get_json()["detail"] or expected in str(response.get_json())
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_generate_needs_a_json_object(api):
    assert api.post("/api/auto-report/generate", data="x", content_type="text/plain").status_code == 400


def test_list_is_newest_first_and_only_the_tenants(client, auth, db, tenant, other_tenant):
    from webapp.models import utcnow

    now = utcnow()
    for n, template in enumerate(["weekly_ops", "monthly_sla", "incident_rca"]):
        add_report(tenant, "FAILED", template=template, fmt="pdf", error="x", created_at=now - timedelta(hours=n))
    add_report(other_tenant, "DONE", template="capacity_plan")
    auth.login("staff")
    response = client.get("/api/auto-report/list")
    items = response.get_json()
    assert [i["template"] for i in items] == ["weekly_ops", "monthly_sla", "incident_rca"]
    assert items[0]["period"] == "2026-03-01~2026-03-31" and items[0]["format"] == "pdf" and items[0]["status"] == "FAILED"
    assert set(items[0]) >= {"id", "template", "period", "format", "status", "created_at"}
    assert response.headers["X-Total-Count"] == "3"
    assert [i["template"] for i in client.get("/api/auto-report/list?limit=1&offset=1").get_json()] == ["monthly_sla"]


def test_download_by_bearer_token(client, db, tenant, march):  # noqa: F811
    user = next(u for u in tenant.users if u.role == "STAFF")
    _token, raw = ApiToken.issue(user, "itsm")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.post("/api/auto-report/generate", json={**BODY, "format": "pdf"}, headers=headers).get_json()
    assert client.get(f"/api/auto-report/{body['report_id']}/download", headers=headers).status_code in (200, 409)
    wait_for_embedded_jobs(timeout=60)
    response = client.get(f"/api/auto-report/{body['report_id']}/download", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_not_ready_download_is_409(client, auth, db, tenant):  # a browser session may GET without a token
    report = add_report(tenant)
    auth.login("pm")
    response = client.get(f"/api/auto-report/{report.id}/download")
    assert response.status_code == 409 and response.get_json()["status"] == "QUEUED"


def test_another_tenants_report_is_404(client, auth, db, tenant, other_tenant):
    foreign = add_report(other_tenant, "DONE", content=b"secret", size=6, content_type="application/octet-stream")
    auth.login("admin")
    assert client.get(f"/api/auto-report/{foreign.id}/download").status_code == 404
    assert client.get(f"/api/auto-report/{foreign.id}").status_code == 404
    assert client.get(f"/api/auto-report/{foreign.id}").get_json()["detail"]


def test_a_browser_session_needs_the_csrf_token_to_generate(client, auth, tenant):
    auth.login("pm")
    assert client.post("/api/auto-report/generate", json=BODY).status_code == 400


def test_anonymous_calls_are_401(client, tenant):
    assert client.get("/api/auto-report/templates").status_code == 401
    assert client.post("/api/auto-report/generate", json=BODY).status_code == 401
