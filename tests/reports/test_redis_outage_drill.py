"""The Redis outage drill, with real processes: a redis-server of the test's own, a real `rq worker` on it, the app.

Stop Redis while a report is being built, generate again (503, nothing stored), sign in (works), start Redis
again and generate (DONE).  The worker that was busy when Redis went away exits (rq gives up on a job whose
result it cannot record); the process manager restarts it (deploy/icr-worker.service, Restart=always), which
the drill does by hand.  An idle worker rides out a short outage by itself (rq retries with back-off).
"""

import os
import signal
import subprocess
import time
import uuid

import pytest
from sqlalchemy import func, select

from webapp.extensions import limiter
from webapp.jobs import enqueue, ping
from webapp.models import ApiToken, AuditLog, Report

from ..conftest import PASSWORD, AuthActions
from ..schedules.conftest import BIN, ROOT, process_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]  # the production set-up: PostgreSQL, Redis, rq worker
QUEUE_DOWN = "작업 대기열(Redis)에 연결할 수 없습니다"
BODY = {"template": "monthly_sla", "period_start": "2026-03-01", "period_end": "2026-03-31", "format": "pdf"}


@pytest.fixture
def app_config(own_redis):
    """The app on the test's own Redis, for its jobs and its sign-in limits alike (as in production)."""
    yield {"REDIS_URL": own_redis.url, "RQ_QUEUE": f"drill-{uuid.uuid4().hex[:8]}", "RATELIMIT_STORAGE_URI": own_redis.url}
    limiter._storage_dead = False  # the limiter is a process-wide singleton: later tests start on their own storage


class Worker:
    """A long-running `rq worker --with-scheduler` in its own process group, logging to a file."""

    def __init__(self, app, log_path):
        self.app, self.log_path, self.process, self.starts = app, log_path, None, 0

    def start(self) -> None:
        """Start (or restart) the worker, as the process manager would."""
        command = [
            str(BIN / "rq"),
            "worker",
            "--with-scheduler",
            "--url",
            self.app.config["REDIS_URL"],
            self.app.config["RQ_QUEUE"],
        ]
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=process_env(self.app), stdout=log, stderr=log, start_new_session=True
            )
        self.starts += 1

    @property
    def alive(self) -> bool:
        """True while the worker process runs."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """End the worker and its work horse."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def worker(app, tmp_path):
    """The drill's worker, stopped at the end."""
    worker = Worker(app, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def wait_for(condition, timeout: float, what: str, worker=None, supervise: bool = False):
    """Poll until condition() is true; fail naming what did not happen (with the worker's log).

    With `supervise`, a worker that has exited is started again, as Restart=always does.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if supervise and not worker.alive:
            worker.start()
        if time.monotonic() > deadline:
            log = worker.log_path.read_text()[-3000:] if worker else ""
            pytest.fail(f"{what} within {timeout} s\n{log}")
        time.sleep(0.2)


def report_status(db, report_id):
    """The stored status of a report."""
    db.session.expire_all()
    return db.session.scalar(select(Report.status).where(Report.id == report_id))


def report_count(db):
    """How many report rows exist."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Report))


def bearer(db, tenant, role="PM"):
    """Authorization header of an API token of the tenant's user with that role (the integration's way in)."""
    user = next(u for u in tenant.users if u.role == role)
    _token, raw = ApiToken.issue(user, "drill")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_redis_stopped_mid_generation_then_started_again(app, client, auth, db, tenant, march, own_redis, worker):
    api, integration = bearer(db, tenant), app.test_client()  # an API client with its token, and a person signed in
    auth.login("pm")
    first = integration.post("/api/auto-report/generate", json=BODY, headers=api)
    assert first.status_code == 202
    first_id = first.get_json()["report_id"]
    wait_for(lambda: report_status(db, first_id) == "RUNNING", 60, "the worker did not start the report", worker)

    own_redis.stop()  # the outage, mid-generation
    assert report_status(db, first_id) == "RUNNING"
    refused = integration.post("/api/auto-report/generate", json=BODY, headers=api)
    assert refused.status_code == 503 and refused.get_json() == {"detail": QUEUE_DOWN}
    page = client.post("/reports/", data={"template": "weekly_ops", "period": "default", "format": "excel"})
    assert page.status_code == 503 and QUEUE_DOWN in page.get_data(as_text=True)
    assert report_count(db) == 1  # nothing stored for the refused requests
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "report")) == 1

    fresh = app.test_client()  # signing in needs no queue, and the limiter counts in memory meanwhile
    signed_in = AuthActions(fresh).login("admin", PASSWORD)
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"]
    assert fresh.get("/reports/").status_code == 200

    # The report being built when Redis went away is finished: its status lives in the database.
    wait_for(lambda: report_status(db, first_id) == "DONE", 60, "the in-flight report did not finish", worker)

    own_redis.start()
    again = integration.post("/api/auto-report/generate", json=BODY, headers=api)
    assert again.status_code == 202
    again_id = again.get_json()["report_id"]
    # The worker that was busy when Redis went away exits; an idle one backs off for up to 60 s between tries.
    wait_for(lambda: report_status(db, again_id) == "DONE", 120, "the report after the outage", worker, supervise=True)
    assert report_count(db) == 2
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.status.in_(("QUEUED", "RUNNING")))) == 0


def ping_count(db) -> int:
    """How many ping jobs have run."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "job.ping"))


def test_an_idle_worker_rides_out_a_short_outage_by_itself(app, db, tenant, own_redis, worker):
    wait_for(lambda: "Listening on" in worker.log_path.read_text(), 30, "the worker did not start", worker)
    own_redis.stop()
    time.sleep(3)
    own_redis.start()
    enqueue(ping, tenant.id, "after the outage")
    wait_for(lambda: ping_count(db) == 1, 90, "the idle worker did not come back", worker)
    assert worker.alive and worker.starts == 1  # the same process, never restarted
