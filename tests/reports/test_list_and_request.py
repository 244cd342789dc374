"""One report list and one request check for the page and the API (reports/queries.py, service.check_request)."""

from datetime import timedelta

import pytest

from webapp.models import ApiToken, utcnow

from ..factories import add_report


def bearer(db, tenant, role="PM"):
    """Authorization header of an API token of the tenant's user with that role."""
    user = next(u for u in tenant.users if u.role == role)
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def three_reports(tenant):
    now = utcnow()
    for n, template in enumerate(["weekly_ops", "monthly_sla", "weekly_ops"]):
        add_report(tenant, "FAILED", template=template, fmt="pdf", error="x", created_at=now - timedelta(hours=n))


def test_the_api_total_counts_the_template_filter(client, auth, three_reports):
    auth.login("staff")
    response = client.get("/api/auto-report/list?template=weekly_ops")
    assert [r["template"] for r in response.get_json()] == ["weekly_ops", "weekly_ops"]
    assert response.headers["X-Total-Count"] == "2"
    assert client.get("/api/auto-report/list").headers["X-Total-Count"] == "3"


def test_the_api_list_pages_by_page_and_per_page(client, auth, three_reports):
    auth.login("staff")
    response = client.get("/api/auto-report/list?page=2&per_page=2")
    assert [r["template"] for r in response.get_json()] == ["weekly_ops"]
    assert response.headers["X-Total-Count"] == "3" and response.headers["X-Total-Pages"] == "2"
    assert response.headers["X-Page"] == "2" and response.headers["X-Per-Page"] == "2"
    old = client.get("/api/auto-report/list?limit=2&offset=2")  # the older parameters, the same rows
    assert old.get_json() == response.get_json() and old.headers["X-Total-Count"] == "3"
    assert len(client.get("/api/auto-report/list?limit=5000").get_json()) == 3  # above the largest page: the largest page


@pytest.mark.parametrize(
    "query, field",
    [("limit=-1", "limit"), ("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-5", "offset"), ("offset=1.5", "offset")]
    + [("per_page=0", "per_page"), ("per_page=501", "per_page"), ("page=-1", "page"), ("page=x", "page")],
)
def test_bad_paging_values_are_a_400_naming_the_parameter(client, auth, three_reports, query, field):
    auth.login("staff")
    response = client.get(f"/api/auto-report/list?{query}")
    assert response.status_code == 400 and response.is_json
    assert field in response.get_json()["errors"], response.get_json()


def test_page_and_api_refuse_a_request_with_the_same_message(client, auth, db, tenant):
    api = client.post(
        "/api/auto-report/generate", json={"template": "incident_rca", "format": "excel"}, headers=bearer(db, tenant)
    )
    assert api.status_code == 400 and api.get_json()["field"] == "format"
    message = api.get_json()["errors"]["format"]
    form = {"template": "incident_rca", "format": "excel", "period": "default"}
    auth.login("pm")
    page = client.post("/reports/", data=form)
    assert page.status_code == 422
    from markupsafe import escape

    assert str(escape(message)) in page.get_data(as_text=True)


def test_page_and_api_check_the_recipients_alike(client, auth, db, tenant):
    api = client.post(
        "/api/auto-report/generate",
        json={"template": "weekly_ops", "send_email": True, "email": "not-an-address"},
        headers=bearer(db, tenant),
    )
    assert api.status_code == 400 and api.get_json()["field"] == "email"
    auth.login("pm")
    page = client.post(
        "/reports/",
        data={"template": "weekly_ops", "format": "excel", "period": "default", "send_email": "y", "email": "not-an-address"},
    )
    assert page.status_code == 422
    from markupsafe import escape

    assert str(escape(api.get_json()["errors"]["email"])) in page.get_data(as_text=True)
