"""The job queue: one enqueue() for both runtime modes.

Production (REDIS_URL set): jobs go to RQ and run in `rq worker` processes.
Embedded (no REDIS_URL): the same job functions run on a small in-process thread pool.
A job is a module-level function that takes ids (never objects); it always runs inside
an application context.  When Redis cannot be reached, enqueue() raises QueueUnavailable:
the caller withdraws what it stored for the job, and the error policy answers 503.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)


class DuplicateJob(Exception):
    """A job with this id was already enqueued (unique=True)."""


class QueueUnavailable(Exception):
    """The job queue (Redis) could not be reached, so the job was not queued."""

    @property
    def message(self) -> str:
        """What people are told, in their language."""
        return queue_unavailable_message()


def queue_unavailable_message() -> str:
    """The one sentence shown wherever work could not be queued (API detail, page banner, stored error)."""
    return _("The job queue (Redis) cannot be reached")


def task_name(func) -> str:
    """The importable name of a job function, e.g. 'webapp.jobs:ping'."""
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(name: str):
    """Import the job function named by task_name()."""
    module_name, _, attr = name.partition(":")
    return getattr(importlib.import_module(module_name), attr)


# --- the worker side ---------------------------------------------------------------------

# RQ calls the job through this entry point (by name: webapp.worker builds the app, so it imports the factory
# and nothing in the package may import it back).
RQ_ENTRY = "webapp.worker.execute"


def run_in_app(app, name: str, args, kwargs):
    """Call the job with a fresh database session that is cleaned up afterwards."""
    from .extensions import db

    with app.app_context():
        try:
            return _resolve(name)(*args, **kwargs)
        except Exception:
            db.session.rollback()
            log.exception("job %s%r failed", name, tuple(args))
            raise
        finally:
            db.session.remove()


# --- the enqueue side ---------------------------------------------------------------------


def enqueue(
    func,
    *args,
    job_id: str | None = None,
    unique: bool = False,
    timeout: int | None = None,
    retry_intervals: list[int] | None = None,
    **kwargs,
) -> str:
    """Queue func(*args, **kwargs) and return the job id; never blocks on the job itself.

    Call it after committing whatever the job reads.  `unique=True` with a `job_id`
    refuses a second job with the same id (DuplicateJob).  `retry_intervals` retries a
    failing job after each interval (seconds).  QueueUnavailable when Redis cannot be reached.
    """
    app = current_app._get_current_object()
    timeout = timeout or app.config["JOB_TIMEOUT"]
    name = task_name(func)
    if app.config.get("REDIS_URL"):
        return _enqueue_rq(app, name, args, kwargs, job_id, unique, timeout, retry_intervals)
    return embedded_runner(app).submit(name, args, kwargs, job_id, unique, retry_intervals)


def redis_connection(app=None):
    """A Redis client for the configured REDIS_URL, one per app and URL (its pool survives forks).

    Timeouts are short (REDIS_TIMEOUT seconds): an unreachable Redis must turn into a quick
    503, not a request that hangs until the proxy gives up.
    """
    from redis import Redis

    app = app or current_app
    url = app.config["REDIS_URL"]
    cached = app.extensions.get("redis_connection")
    if cached is None or cached[0] != url:
        seconds = float(app.config.get("REDIS_TIMEOUT") or 5)
        client = Redis.from_url(url, socket_connect_timeout=seconds, socket_timeout=seconds)
        cached = app.extensions["redis_connection"] = (url, client)
    return cached[1]


def rq_queue(app=None):
    """The RQ queue jobs are sent to."""
    from rq import Queue

    app = app or current_app
    return Queue(app.config["RQ_QUEUE"], connection=redis_connection(app))


def _enqueue_rq(app, name, args, kwargs, job_id, unique, timeout, retry_intervals) -> str:
    """Send the job to RQ; QueueUnavailable when Redis does not answer."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from rq import Retry
    from rq.exceptions import DuplicateJobError

    retry = Retry(max=len(retry_intervals), interval=list(retry_intervals)) if retry_intervals else None
    try:
        job = rq_queue(app).enqueue(
            RQ_ENTRY,
            name,
            tuple(args),
            kwargs,
            job_id=job_id,
            unique=unique,
            job_timeout=timeout,
            retry=retry,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            description=name,
        )
    except DuplicateJobError as exc:
        raise DuplicateJob(job_id) from exc
    except (RedisConnectionError, RedisTimeoutError) as exc:
        log.warning("job %s (%s) not queued: Redis is unreachable: %s", job_id or "-", name, exc)
        raise QueueUnavailable(str(exc)) from exc
    return job.id


@dataclass
class EmbeddedRunner:
    """A thread pool that runs jobs inside this process (embedded mode).

    A failed job with retry intervals left is put back on the pool by a timer after the
    interval, so waiting for a retry never holds one of the pool's threads.
    """

    app: object
    workers: int
    executor: ThreadPoolExecutor = field(init=False)
    futures: dict[str, Future] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0
    retries_waiting: int = 0

    def __post_init__(self):
        self.executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="job")

    def submit(self, name, args, kwargs, job_id, unique, retry_intervals) -> str:
        """Start the job on a pool thread and return its id."""
        with self.lock:
            self.counter += 1
            job_id = job_id or f"embedded-{self.counter}-{time.time_ns()}"
            if unique and job_id in self.futures:
                raise DuplicateJob(job_id)
            self._submit_locked(job_id, name, tuple(args), kwargs, list(retry_intervals or []))
        return job_id

    def _submit_locked(self, job_id, name, args, kwargs, retry_intervals) -> None:
        """Hand the job to the pool (the caller holds the lock)."""
        self.futures[job_id] = self.executor.submit(self._run, job_id, name, args, kwargs, retry_intervals)

    def _run(self, job_id, name, args, kwargs, retry_intervals):
        """Run the job once; on failure, schedule the next attempt if any interval is left."""
        try:
            return run_in_app(self.app, name, args, kwargs)
        except Exception:
            if not retry_intervals:
                raise
            with self.lock:
                self.retries_waiting += 1
            timer = threading.Timer(retry_intervals[0], self._retry, (job_id, name, args, kwargs, retry_intervals[1:]))
            timer.daemon = True
            timer.start()
            return None

    def _retry(self, job_id, name, args, kwargs, retry_intervals) -> None:
        """Put a failed job back on the pool for its next attempt."""
        with self.lock:
            self.retries_waiting -= 1
            self._submit_locked(job_id, name, args, kwargs, retry_intervals)

    def wait(self, timeout: float | None = None) -> None:
        """Block until every job submitted so far, retries included, has finished (CLI commands and tests)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self.lock:
                pending = [f for f in self.futures.values() if not f.done()]
                retrying = self.retries_waiting
            if not pending and not retrying:
                return
            if deadline is not None and time.monotonic() >= deadline:
                return
            if pending:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    pending[0].exception(timeout=remaining)
                except TimeoutError:
                    return
            else:
                time.sleep(0.05)


def embedded_runner(app=None) -> EmbeddedRunner:
    """The app's in-process runner, created on first use."""
    app = app or current_app._get_current_object()
    runner = app.extensions.get("embedded_jobs")
    if runner is None:
        runner = app.extensions.setdefault("embedded_jobs", EmbeddedRunner(app, app.config["EMBEDDED_WORKERS"]))
    return runner


def wait_for_embedded_jobs(timeout: float | None = None) -> None:
    """In embedded mode, wait for queued jobs to finish; a no-op with Redis."""
    if not current_app.config.get("REDIS_URL"):
        embedded_runner().wait(timeout)


# --- a trivial job that proves the queue works end to end ----------------------------------


def ping(tenant_id: int, message: str) -> str:
    """Write an audit row saying the queue delivered `message` (used by `flask jobs ping`)."""
    from .audit import record
    from .extensions import db

    record("job.ping", "queue", None, tenant_id=tenant_id, message=message)
    db.session.commit()
    return message
