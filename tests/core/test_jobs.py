"""The queue in both modes: in-process threads, and Redis with a real rq worker process."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from scripts.scratch_queue import drop_queue
from webapp.jobs import DuplicateJob, QueueUnavailable, enqueue, ping, wait_for_embedded_jobs
from webapp.models import AuditLog

from ..conftest import REDIS_URL
from ..redis_server import dead_redis_url

ROOT = Path(__file__).resolve().parents[2]


def _pings(db):
    db.session.expire_all()
    return [row.details["message"] for row in db.session.scalars(select(AuditLog).where(AuditLog.action == "job.ping"))]


def test_embedded_job_runs_in_a_thread(app, db, tenant):
    job_id = enqueue(ping, tenant.id, "embedded")
    assert job_id
    wait_for_embedded_jobs(timeout=10)
    assert _pings(db) == ["embedded"]


def test_embedded_unique_job_id_refuses_duplicate(app, db, tenant):
    enqueue(ping, tenant.id, "once", job_id="ping-1", unique=True)
    with pytest.raises(DuplicateJob):
        enqueue(ping, tenant.id, "twice", job_id="ping-1", unique=True)
    wait_for_embedded_jobs(timeout=10)
    assert _pings(db) == ["once"]


def flaky(tenant_id, marker_path):
    """Fails on the first call, succeeds on the second (for the retry test)."""
    path = Path(marker_path)
    if not path.exists():
        path.write_text("failed once")
        raise RuntimeError("first attempt fails")
    return ping(tenant_id, "retried")


def test_embedded_job_retries(app, db, tenant, tmp_path):
    enqueue(flaky, tenant.id, str(tmp_path / "marker"), retry_intervals=[0])
    wait_for_embedded_jobs(timeout=10)
    assert _pings(db) == ["retried"]


@pytest.fixture
def redis_app_config():
    if not REDIS_URL:
        pytest.skip("Redis suite is off: set TEST_REDIS_URL")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    yield {"REDIS_URL": REDIS_URL, "RQ_QUEUE": queue}
    drop_queue(REDIS_URL, queue)


@pytest.fixture
def app_config(request):
    if "redis" in request.keywords:
        return request.getfixturevalue("redis_app_config")
    return {}


def run_rq_worker(app, timeout=60):
    """Start a real `rq worker --burst` process on the app's queue and wait for it to finish."""
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],
        RQ_QUEUE=app.config["RQ_QUEUE"],
    )
    command = [
        str(Path(sys.executable).parent / "rq"),
        "worker",
        "--burst",
        "--url",
        app.config["REDIS_URL"],
        app.config["RQ_QUEUE"],
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.redis
def test_rq_worker_process_runs_the_job(app, db, tenant):
    job_id = enqueue(ping, tenant.id, "through redis")
    assert _pings(db) == []  # nothing ran in-process
    result = run_rq_worker(app)
    assert result.returncode == 0, result.stderr
    assert _pings(db) == ["through redis"]
    from rq.job import Job

    from webapp.jobs import redis_connection

    assert Job.fetch(job_id, connection=redis_connection()).get_status() == "finished"


@pytest.mark.redis
def test_rq_unique_job_id_refuses_duplicate(app, db, tenant):
    enqueue(ping, tenant.id, "first", job_id=f"ping-{uuid.uuid4().hex}", unique=True)
    job_id = f"ping-{uuid.uuid4().hex}"
    enqueue(ping, tenant.id, "second", job_id=job_id, unique=True)
    with pytest.raises(DuplicateJob):
        enqueue(ping, tenant.id, "again", job_id=job_id, unique=True)
    run_rq_worker(app)
    assert sorted(_pings(db)) == ["first", "second"]


def test_waiting_retry_does_not_hold_a_job_thread(app, db, tenant, tmp_path):
    """With one job thread, a job queued behind a failing one runs while the retry waits."""
    from webapp.jobs import EmbeddedRunner

    app.extensions["embedded_jobs"] = EmbeddedRunner(app, workers=1)  # one thread, as a tiny deployment would have
    started = time.monotonic()
    enqueue(flaky, tenant.id, str(tmp_path / "marker"), retry_intervals=[2])
    enqueue(ping, tenant.id, "not blocked")
    deadline = time.monotonic() + 1.5
    while "not blocked" not in _pings(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pings(db) == ["not blocked"]  # ran during the retry's 2-second wait
    wait_for_embedded_jobs(timeout=10)
    assert sorted(_pings(db)) == ["not blocked", "retried"]
    assert time.monotonic() - started >= 2


# --- Redis down or hanging: QueueUnavailable, quickly -----------------------------------------------


@pytest.fixture
def silent_redis():
    """A TCP port that accepts connections but never answers: a Redis that hangs."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.parametrize("app_config", [{"REDIS_URL": dead_redis_url(), "RQ_QUEUE": "nowhere"}])
def test_enqueue_with_redis_stopped_raises_queue_unavailable_at_once(app, db, tenant, app_config):
    from redis.exceptions import ConnectionError as RedisConnectionError

    started = time.monotonic()
    with pytest.raises(QueueUnavailable) as error:
        enqueue(ping, tenant.id, "nowhere")
    assert time.monotonic() - started < 2
    assert isinstance(error.value.__cause__, RedisConnectionError)
    assert error.value.message == "작업 대기열(Redis)에 연결할 수 없습니다"


def test_enqueue_to_a_redis_that_hangs_gives_up_after_redis_timeout(app, db, tenant, silent_redis):
    from redis.exceptions import TimeoutError as RedisTimeoutError

    app.config.update(REDIS_URL=silent_redis, REDIS_TIMEOUT=1)
    started = time.monotonic()
    with pytest.raises(QueueUnavailable) as error:
        enqueue(ping, tenant.id, "nowhere")
    assert 0.9 <= time.monotonic() - started < 5  # REDIS_TIMEOUT, not the request's lifetime
    assert isinstance(error.value.__cause__, RedisTimeoutError)
