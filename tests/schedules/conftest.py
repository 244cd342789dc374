"""Helpers for the schedule tests: schedules straight in the database, mail read back, process helpers."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from scripts.scratch_queue import drop_queue
from webapp.models import utcnow
from webapp.models.schedules import ReportSchedule

from ..conftest import REDIS_URL
from ..factories import add_schedule

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def make_schedule(tenant):
    """Create a schedule directly (bypassing validation) with sensible defaults."""

    def make(**values) -> ReportSchedule:
        return add_schedule(tenant, **values)

    return make


def outbox(app):
    """Messages sent through the in-memory (locmem) mail backend."""
    return list(getattr(app.extensions["mailman"], "outbox", []))


def minute(value: datetime) -> datetime:
    """The value truncated to the minute."""
    return value.replace(second=0, microsecond=0)


# --- real processes (PostgreSQL + Redis) ------------------------------------------------------------


@pytest.fixture
def redis_app_config():
    """Redis on, with a queue of this test's own; its jobs are removed afterwards.

    Job ids such as schedule-<id>-<slot> are global in Redis and every test database starts its ids
    at 1, so a test's jobs must not outlive it (the queue would refuse the next test's jobs as duplicates).
    """
    if not REDIS_URL:
        pytest.skip("Redis suite is off: set TEST_REDIS_URL")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    yield {"REDIS_URL": REDIS_URL, "RQ_QUEUE": queue}
    drop_queue(REDIS_URL, queue)
    from redis import Redis

    Redis.from_url(REDIS_URL).delete("rq:job:maintenance-" + utcnow().strftime("%Y%m%d"))  # today's purge job id


@pytest.fixture
def app_config(request):
    """Switch a test to Redis with @pytest.mark.redis."""
    if "redis" in request.keywords:
        return request.getfixturevalue("redis_app_config")
    return {}


def process_env(app, **extra) -> dict:
    """The environment a child process needs to build the same app (database, Redis, queue, secrets)."""
    env = dict(
        os.environ,
        FLASK_APP="webapp",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config.get("REDIS_URL") or "",
        RQ_QUEUE=app.config.get("RQ_QUEUE", "default"),
        SECRET_KEY=app.config["SECRET_KEY"],
        BASE_URL=app.config["BASE_URL"],
        INSTANCE_PATH=app.instance_path,
        MAIL_FILE_PATH=app.config["MAIL_FILE_PATH"],
        LOG_LEVEL="WARNING",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_scheduler_once(app, **extra) -> subprocess.Popen:
    """`flask scheduler run --once` as a child process."""
    return subprocess.Popen(
        [str(BIN / "flask"), "scheduler", "run", "--once"],
        cwd=ROOT,
        env=process_env(app, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_rq_worker(app, burst: bool = True, **extra) -> subprocess.Popen:
    """A real `rq worker` (with its scheduler, so RQ retries come back) on the app's queue."""
    command = [str(BIN / "rq"), "worker", "--with-scheduler", "--url", app.config["REDIS_URL"], app.config["RQ_QUEUE"]]
    if burst:
        command.insert(2, "--burst")
    return subprocess.Popen(
        command, cwd=ROOT, env=process_env(app, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the addresses in `refuse` (550, for good)."""

    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = {address.lower() for address in refuse}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept a recipient unless it is one to refuse."""
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message."""
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that a test can stop: SMTP going down."""

    def __init__(self, port: int, refuse=()):
        self.inbox = Inbox(refuse)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.running = False

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.controller.port

    def start(self) -> None:
        """Start listening."""
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        """Stop listening (connections are refused from now on)."""
        if self.running:
            self.controller.stop()
            self.running = False
