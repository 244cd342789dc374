"""Redis down while a report is requested: 503 with the reason, nothing stored, the form kept as typed (API and page)."""

import re

import pytest
from sqlalchemy import func, select

from webapp.models import ApiToken, AuditLog, Report

from ..factories import add_report
from ..redis_server import dead_redis_url

QUEUE_DOWN = "작업 대기열(Redis)에 연결할 수 없습니다"
BODY = {"template": "monthly_sla", "period_start": "2026-03-01", "period_end": "2026-03-31", "format": "pdf"}


@pytest.fixture
def app_config():
    """REDIS_URL on a port where nothing listens: every enqueue is refused, as with Redis stopped."""
    return {"REDIS_URL": dead_redis_url()}


def stored(db):
    """(reports, report audit rows) in the database."""
    db.session.expire_all()
    reports = db.session.scalar(select(func.count()).select_from(Report))
    audits = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "report"))
    return reports, audits


def bearer(db, tenant, role="PM"):
    """Authorization header of an API token of the tenant's user with that role."""
    user = next(u for u in tenant.users if u.role == role)
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_api_generate_answers_503_and_stores_nothing(client, db, tenant):
    response = client.post("/api/auto-report/generate", json=BODY, headers=bearer(db, tenant))
    assert response.status_code == 503
    assert response.get_json() == {"detail": QUEUE_DOWN}
    assert response.headers["Retry-After"] == "30"
    assert stored(db) == (0, 0)


def test_api_generate_in_english_says_the_same(client, db, tenant):
    client.set_cookie("lang", "en")
    response = client.post("/api/auto-report/generate", json=BODY, headers=bearer(db, tenant))
    assert response.status_code == 503 and response.get_json()["detail"] == "The job queue (Redis) cannot be reached"


def test_page_post_shows_a_banner_and_keeps_what_was_typed(client, auth, db, tenant):
    auth.login("pm")
    response = client.post(
        "/reports/",
        data={
            "template": "monthly_sla",
            "period": "custom",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "format": "pdf",
            "send_email": "y",
            "email": "boss@example.kr",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'data-testid="form-banner"' in page and QUEUE_DOWN in page
    assert '<option selected value="monthly_sla">' in page and '<option selected value="pdf">' in page
    assert 'value="2026-03-01"' in page and 'value="2026-03-31"' in page and 'value="boss@example.kr"' in page
    assert re.search(r'<input checked[^>]*value="custom"', page)  # the custom period stays chosen
    assert stored(db) == (0, 0)


def test_htmx_post_gets_the_form_fragment_with_the_banner(client, auth, db, tenant):
    auth.login("pm")
    response = client.post(
        "/reports/", data={"template": "weekly_ops", "period": "default", "format": "excel"}, headers={"HX-Request": "true"}
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#report-form" and response.headers["HX-Reswap"] == "outerHTML"
    assert fragment.lstrip().startswith('<form id="report-form"') and QUEUE_DOWN in fragment
    assert "<html" not in fragment
    assert stored(db) == (0, 0)


def test_other_pages_keep_working_while_the_queue_is_down(client, auth, db, tenant):
    failed = add_report(tenant, "FAILED", error="이전 오류")
    auth.login("pm")
    listing = client.get("/reports/")
    assert listing.status_code == 200 and f'id="report-{failed.id}"' in listing.get_data(as_text=True)
    assert client.get("/api/auto-report/list", headers=bearer(db, tenant)).status_code == 200


def test_retry_with_the_queue_down_is_503_and_adds_nothing(client, auth, db, tenant):
    failed = add_report(tenant, "FAILED", error="이전 오류")
    response = client.post(f"/api/auto-report/{failed.id}/retry", headers=bearer(db, tenant))
    assert response.status_code == 503 and response.get_json() == {"detail": QUEUE_DOWN}
    auth.login("pm")
    page = client.post(f"/reports/{failed.id}/retry")
    assert page.status_code == 503 and 'data-testid="list-banner"' in page.get_data(as_text=True)
    assert QUEUE_DOWN in page.get_data(as_text=True)
    assert stored(db) == (1, 0)  # only the failed report, unchanged
    assert db.session.get(Report, failed.id).status == "FAILED"
