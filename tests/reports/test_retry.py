"""A failed report can be generated again ("다시 생성": a new report, the failed one kept), and a report cut off by a
PostgreSQL restart fails with a friendly message instead of the driver's text."""

import logging
import threading
import time

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from webapp.config import normalise_database_url
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, AuditLog, Report
from webapp.reports.service import build_report

from ..conftest import PG_ADMIN_URL
from ..factories import MARCH, add_report

FRIENDLY = "보고서를 만드는 동안 데이터베이스 연결이 끊어졌습니다"


def bearer(db, tenant, role="PM"):
    """Authorization header of an API token of the tenant's user with that role."""
    user = next(u for u in tenant.users if u.role == role)
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def fetch(db, report_id) -> Report:
    """The report as stored now."""
    db.session.expire_all()
    return db.session.get(Report, report_id)


def test_api_retry_makes_a_new_report_with_the_same_request_and_keeps_the_failed_one(client, db, tenant, march):
    failed = add_report(tenant, "FAILED", template="monthly_sla", fmt="pdf", error="이전 오류")
    response = client.post(f"/api/auto-report/{failed.id}/retry", headers=bearer(db, tenant))
    body = response.get_json()
    assert response.status_code == 202 and body["retry_of"] == failed.id and body["report_id"] != failed.id
    assert (body["template"], body["format"], body["period"]) == (
        "monthly_sla",
        "pdf",
        {"start": "2026-03-01", "end": "2026-03-31"},
    )
    wait_for_embedded_jobs(60)
    again = fetch(db, body["report_id"])
    assert again.status == "DONE" and again.content.startswith(b"%PDF")
    assert fetch(db, failed.id).status == "FAILED" and fetch(db, failed.id).error == "이전 오류"  # history kept
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "report", AuditLog.entity_id == str(again.id)))
    assert audit.details["retry_of"] == failed.id


@pytest.mark.parametrize("status", ["DONE", "QUEUED", "RUNNING"])
def test_only_a_failed_report_can_be_retried(client, db, tenant, status):
    report = add_report(tenant, status)
    response = client.post(f"/api/auto-report/{report.id}/retry", headers=bearer(db, tenant))
    assert response.status_code == 409 and status in response.get_json()["detail"]
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_another_tenants_report_cannot_be_retried(client, auth, db, tenant, other_tenant):
    foreign = add_report(other_tenant, "FAILED", error="x")
    assert client.post(f"/api/auto-report/{foreign.id}/retry", headers=bearer(db, tenant)).status_code == 404
    auth.login("staff")
    assert client.post(f"/reports/{foreign.id}/retry").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_the_page_offers_generate_again_on_a_failed_row(client, auth, db, tenant, march):
    failed = add_report(tenant, "FAILED", error="이전 오류")
    done = add_report(tenant, "DONE", content=b"x", size=1, sha256="0" * 64)
    auth.login("staff")
    page = client.get("/reports/").get_data(as_text=True)
    failed_row = page.split(f'id="report-{failed.id}"')[1].split("</tr>")[0]
    done_row = page.split(f'id="report-{done.id}"')[1].split("</tr>")[0]
    assert f'action="/reports/{failed.id}/retry"' in failed_row and "다시 생성" in failed_row
    assert "/retry" not in done_row
    response = client.post(f"/reports/{failed.id}/retry")
    assert response.status_code == 302 and response.headers["Location"] == "/reports/"
    assert "보고서를 다시 생성하고 있습니다" in client.get("/reports/").get_data(as_text=True)
    wait_for_embedded_jobs(60)
    newest = db.session.scalar(select(Report).order_by(Report.id.desc()))
    assert newest.id > done.id and newest.status == "DONE" and newest.generated_by.username == "staff"


@pytest.fixture
def database_restart(app, db):
    """Cut every connection of the test database the first time a report query reads SRs, and refuse new ones
    for `down_for` seconds — what a PostgreSQL restart does to a running build.  Yields a dict with the timings."""
    admin = create_engine(normalise_database_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    state = {"down_for": 3.0, "cut_at": None, "timer": None}

    def reopen():
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    def cut(conn, cursor, statement, parameters, context, executemany):
        if state["cut_at"] is not None or "service_requests" not in statement:
            return
        state["cut_at"] = time.monotonic()
        with admin.connect() as control:
            control.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            control.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
        state["timer"] = threading.Timer(state["down_for"], reopen)
        state["timer"].start()

    event.listen(db.engine, "before_cursor_execute", cut)
    yield state
    event.remove(db.engine, "before_cursor_execute", cut)
    if state["timer"] is not None:
        state["timer"].join()
    reopen()
    admin.dispose()


@pytest.mark.postgres_only
def test_a_build_cut_off_by_a_database_restart_fails_with_a_friendly_message_then_retries(
    client, auth, db, tenant, march, database_restart, caplog
):
    report = add_report(tenant, "QUEUED", template="monthly_sla")
    with caplog.at_level(logging.WARNING, logger="webapp.reports.service"):
        build_report(report.id)
    assert database_restart["cut_at"] is not None  # the connections really were cut mid-build
    waited = time.monotonic() - database_restart["cut_at"]
    report = fetch(db, report.id)
    assert report.status == "FAILED" and report.error.startswith(FRIENDLY)
    assert waited >= database_restart["down_for"]  # FAILED was stored once the database accepted connections again
    assert "storing its outcome again" in caplog.text
    assert "AdminShutdown" in caplog.text or "terminating connection" in caplog.text  # the driver's text: in the log only
    for driver_text in ("terminating connection", "administrator", "psycopg", "OperationalError", "server closed"):
        assert driver_text not in report.error
    auth.login("pm")
    page = client.get("/reports/").get_data(as_text=True)
    assert FRIENDLY in page and f'action="/reports/{report.id}/retry"' in page
    assert client.post(f"/reports/{report.id}/retry").status_code == 302
    wait_for_embedded_jobs(60)
    newest = db.session.scalar(select(Report).order_by(Report.id.desc()))
    assert newest.id != report.id and newest.status == "DONE" and (newest.period_start, newest.period_end) == MARCH


def test_staff_cannot_retry_a_report_built_on_cost_data(client, auth, db, tenant):
    failed = add_report(tenant, "FAILED", template="monthly_cost", error="이전 오류")
    response = client.post(f"/api/auto-report/{failed.id}/retry", headers=bearer(db, tenant, "STAFF"))
    assert response.status_code == 403 and "monthly_cost" in response.get_json()["detail"]
    auth.login("staff")
    assert client.post(f"/reports/{failed.id}/retry").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
