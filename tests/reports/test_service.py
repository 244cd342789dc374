"""The life of a report: request → QUEUED → job → DONE (immutable file) or FAILED; the sweep and retention."""

import hashlib
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import AuditLog, Report, utcnow
from webapp.reports.service import ReportRequestError, build_report, purge_expired_reports, request_report, sweep_stuck_reports
from webapp.reports.signals import report_finished

from ..factories import MARCH, add_report


@pytest.fixture
def finished(app):
    """Every report_finished signal sent during the test, as (report_id, deliver_to)."""
    seen = []

    def receiver(sender, report_id, deliver_to=None, **_):
        seen.append((report_id, deliver_to))

    report_finished.connect(receiver)
    yield seen
    report_finished.disconnect(receiver)


def fetch(db, report_id) -> Report:
    """The report as stored now."""
    db.session.expire_all()
    return db.session.get(Report, report_id)


@pytest.mark.parametrize(
    ("template", "fmt", "start", "end", "field", "named"),
    [
        ("weekly", "excel", *MARCH, "template", "weekly_ops, monthly_sla, incident_rca, capacity_plan, monthly_cost"),
        ("weekly_ops", "csv", *MARCH, "format", "excel, pdf"),
        ("incident_rca", "excel", *MARCH, "format", "pdf"),
        ("capacity_plan", "pdf", *MARCH, "format", "excel"),
        ("weekly_ops", "excel", date(2026, 3, 31), date(2026, 3, 1), "period_start", "2026-03-31"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_stored(db, tenant, template, fmt, start, end, field, named):
    with pytest.raises(ReportRequestError) as error:
        request_report(tenant, template, start, end, fmt)
    assert error.value.field == field and named in str(error.value)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_request_builds_the_report_in_the_background(db, tenant, march, finished):
    user = tenant.users[0]
    report = request_report(tenant, "weekly_ops", *MARCH, "excel", user=user, deliver_to=["boss@example.kr"])
    assert report.status == "QUEUED" and report.job_id.startswith(f"report-{report.id}-")
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "report"))
    assert (audit.action, audit.entity_id, audit.user_id) == ("create", str(report.id), user.id)
    wait_for_embedded_jobs(timeout=60)
    report = fetch(db, report.id)
    assert report.status == "DONE" and report.error is None
    assert report.size == len(report.content) and report.sha256 == hashlib.sha256(report.content).hexdigest()
    assert report.file_name == "주간_운영_보고서_2026-03-01_2026-03-31.xlsx"
    assert report.data_summary["created"] == 7 and report.data_summary["completion_rate"] == 57.1
    assert report.started_at <= report.finished_at
    assert finished == [(report.id, ["boss@example.kr"])]


def test_a_failing_build_is_failed_with_a_message_and_a_logged_traceback(db, tenant, finished, caplog):
    report = add_report(tenant, template="retired_template")
    from webapp.reports.service import generate_report_job

    with caplog.at_level(logging.ERROR):
        generate_report_job(report.id)
    report = fetch(db, report.id)
    assert report.status == "FAILED" and report.content is None
    assert report.error.startswith("보고서를 만들지 못했습니다")
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)
    assert finished == [(report.id, None)]


def test_build_does_nothing_to_a_finished_report(db, tenant):
    report = add_report(tenant, "FAILED", error="old")
    assert build_report(report.id).status == "FAILED"
    assert fetch(db, report.id).error == "old"


def _row(db, tenant, status, **times):
    return add_report(tenant, status, fmt="pdf", job_id="gone", **times).id


def test_sweep_fails_reports_that_cannot_finish(db, app, tenant, finished):
    now = utcnow()
    limit = app.config["JOB_TIMEOUT"]
    dead = _row(db, tenant, "RUNNING", started_at=now - timedelta(seconds=limit + 60))
    busy = _row(db, tenant, "RUNNING", started_at=now - timedelta(seconds=5))
    lost = _row(db, tenant, "QUEUED", created_at=now - timedelta(seconds=limit + 60))
    fresh = _row(db, tenant, "QUEUED", created_at=now)
    assert sweep_stuck_reports() == 2
    assert fetch(db, dead).status == "FAILED" and "작업자" in fetch(db, dead).error
    assert fetch(db, lost).status == "FAILED" and "대기열" in fetch(db, lost).error
    assert fetch(db, busy).status == "RUNNING" and fetch(db, fresh).status == "QUEUED"
    assert sorted(finished) == sorted([(dead, None), (lost, None)])
    assert sweep_stuck_reports() == 0


def test_purge_keeps_each_tenant_retention(db, tenant, other_tenant):
    tenant.settings = {"report_retention_days": 30}
    db.session.commit()
    now = utcnow()
    old = _row(db, tenant, "DONE", created_at=now - timedelta(days=31))
    recent = _row(db, tenant, "DONE", created_at=now - timedelta(days=29))
    other_old = _row(db, other_tenant, "DONE", created_at=now - timedelta(days=200))  # default retention 365 days
    assert purge_expired_reports() == 1
    assert fetch(db, old) is None and fetch(db, recent) and fetch(db, other_old)
