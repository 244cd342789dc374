"""Reports built by a real `rq` worker process on real Redis; a killed worker leaves FAILED after the sweep."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.jobs import enqueue, redis_connection
from webapp.models import Report
from webapp.reports.service import request_report, sweep_stuck_reports

from ..conftest import REDIS_URL
from ..core.test_jobs import run_rq_worker
from ..factories import MARCH, add_report
from .helpers import workbook
from .slow_jobs import slow_report_job

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.redis


@pytest.fixture
def app_config():
    if not REDIS_URL:
        pytest.skip("Redis suite is off: set TEST_REDIS_URL")
    return {"REDIS_URL": REDIS_URL, "RQ_QUEUE": f"test-{uuid.uuid4().hex[:8]}", "JOB_TIMEOUT": 4, "REPORT_SWEEP_GRACE": 0}


def fetch(db, report_id) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def test_a_worker_process_builds_the_report(app, db, tenant, march):
    report = request_report(tenant, "monthly_sla", *MARCH, "excel")
    time.sleep(0.5)
    assert fetch(db, report.id).status == "QUEUED"  # nothing runs in the web process
    result = run_rq_worker(app)
    assert result.returncode == 0, result.stderr
    report = fetch(db, report.id)
    assert report.status == "DONE", report.error
    assert workbook(report.content)["요약"]["A1"].value == "월간 SLA 보고서"
    from rq.job import Job

    job = Job.fetch(report.job_id, connection=redis_connection())
    assert job.get_status() == "finished" and job.timeout == 4  # every job carries the time limit
    assert job.return_value() == "DONE"


def start_worker(app) -> subprocess.Popen:
    """A long-running `rq worker` in its own process group (so the work horse dies with it)."""
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],
        RQ_QUEUE=app.config["RQ_QUEUE"],
    )
    command = [str(Path(sys.executable).parent / "rq"), "worker", "--url", app.config["REDIS_URL"], app.config["RQ_QUEUE"]]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def test_killing_the_worker_mid_job_leaves_the_report_failed_after_the_sweep(app, db, tenant):
    report = add_report(tenant, fmt="pdf", job_id=f"slow-{uuid.uuid4().hex[:8]}")
    enqueue(slow_report_job, report.id, job_id=report.job_id, timeout=300)
    worker = start_worker(app)
    try:
        deadline = time.monotonic() + 60
        while fetch(db, report.id).status != "RUNNING":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse die mid-job
        worker.wait(timeout=10)
    assert sweep_stuck_reports() == 0  # still within the time limit: the sweep leaves it alone
    assert fetch(db, report.id).status == "RUNNING"
    time.sleep(app.config["JOB_TIMEOUT"] + 0.5)
    assert sweep_stuck_reports() == 1
    report = fetch(db, report.id)
    assert report.status == "FAILED" and "작업자가 종료" in report.error and report.finished_at is not None


def test_sweep_fails_a_queued_report_whose_job_is_gone(app, db, tenant):
    report = add_report(tenant, job_id="never-enqueued")
    from datetime import timedelta

    from webapp.models import utcnow

    assert sweep_stuck_reports(now=utcnow() + timedelta(seconds=120)) == 1
    assert fetch(db, report.id).status == "FAILED"
    assert db.session.scalar(select(Report.error).where(Report.id == report.id)).startswith("보고서 작업이 시작되기 전에")
