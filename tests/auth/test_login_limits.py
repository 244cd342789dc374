"""Sign-in throttling: per address + account, per address across accounts (spraying), and with Redis down."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from redis import Redis

from webapp.extensions import limiter

from ..conftest import PASSWORD

SPRAYER = {"REMOTE_ADDR": "203.0.113.7"}
COLLEAGUE = {"REMOTE_ADDR": "198.51.100.20"}


def _sign_in(client, username, password, environ=None):
    """Post the sign-in form from the given client address."""
    return client.post("/login", data={"tenant": "acme", "username": username, "password": password}, environ_base=environ or {})


def test_one_address_spraying_many_accounts_is_stopped(client, tenant):
    """30 failures over 30 different accounts from one address: the next try is refused, even a correct one."""
    for number in range(30):
        assert _sign_in(client, f"user{number}", "guess-1234", SPRAYER).status_code == 401
    refused = _sign_in(client, "pm", PASSWORD, SPRAYER)
    assert refused.status_code == 429
    assert "시도 횟수가 너무 많습니다" in refused.get_data(as_text=True)
    # The limit is the sprayer's address, not the account: a colleague elsewhere still signs in.
    assert _sign_in(client, "pm", PASSWORD, COLLEAGUE).status_code == 302


def test_successful_sign_ins_do_not_count_against_the_address(client, tenant):
    """An office behind one address signs in all day; only failures add up."""
    for number in range(29):
        assert _sign_in(client, f"user{number}", "guess-1234", SPRAYER).status_code == 401
    for username in ("pm", "admin", "staff") * 4:
        assert _sign_in(client, username, PASSWORD, SPRAYER).status_code == 302
        client.post("/logout")
    assert _sign_in(client, "user29", "guess-1234", SPRAYER).status_code == 401  # the 30th failure
    assert _sign_in(client, "pm", PASSWORD, SPRAYER).status_code == 429


@pytest.mark.parametrize("app_config", [{"LOGIN_ADDRESS_RATE_LIMIT": "3 per 15 minutes"}])
def test_the_address_limit_is_configurable(client, tenant, app_config):
    for username in ("a", "b", "c"):
        assert _sign_in(client, username, "guess-1234", SPRAYER).status_code == 401
    assert _sign_in(client, "d", "guess-1234", SPRAYER).status_code == 429


# --- Redis down ----------------------------------------------------------------------------


def _free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test alone, on its own port, that the test stops and starts."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = tmp_path
        self.process = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server and wait until its port refuses connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        """True while the server process lives."""
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def own_redis(tmp_path):
    """A started redis-server; always stopped at the end."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (Debian package redis-server)")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(request):
    """The limiter's storage is the test's own Redis when the test asks for one."""
    if "own_redis" in request.fixturenames:
        return {"RATELIMIT_STORAGE_URI": request.getfixturevalue("own_redis").url}
    return {}


@pytest.fixture
def redis_outage(app, own_redis):
    """Stop the test's Redis on demand; afterwards start it again (the app's teardown resets the limiter's storage)."""
    yield own_redis
    if not own_redis.running:
        own_redis.start()
    limiter._storage_dead = False  # the limiter is a process-wide singleton: later tests start on their own storage


def test_sign_in_keeps_working_while_redis_is_down(app, client, tenant, redis_outage, caplog):
    # With Redis up, failures are counted there.
    assert _sign_in(client, "pm", "wrong-password").status_code == 401
    assert any(b"login:" in key for key in Redis.from_url(redis_outage.url).keys("*"))

    redis_outage.stop()
    with caplog.at_level(logging.WARNING):
        assert _sign_in(client, "pm", PASSWORD).status_code == 302
    assert client.get("/costs/").status_code == 200
    assert any(
        "falling back to in-memory" in record.getMessage() and record.levelno == logging.WARNING for record in caplog.records
    )
    client.post("/logout")

    # The failure limit still applies, counted in this process.
    for _ in range(5):
        assert _sign_in(client, "admin", "wrong-password").status_code == 401
    assert _sign_in(client, "admin", PASSWORD).status_code == 429
    assert _sign_in(client, "staff", PASSWORD).status_code == 302


PROXY = {"REMOTE_ADDR": "10.0.0.1"}


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1, "LOGIN_ADDRESS_RATE_LIMIT": "3 per 15 minutes"}])
def test_behind_a_trusted_proxy_the_client_address_counts(client, tenant, app_config):
    """One reverse proxy in front: the address it forwards is the one limited, not the proxy's own."""
    sprayer = {"X-Forwarded-For": "203.0.113.7"}
    for username in ("a", "b", "c"):
        assert (
            client.post(
                "/login",
                data={"tenant": "acme", "username": username, "password": "guess-1234"},
                headers=sprayer,
                environ_base=PROXY,
            ).status_code
            == 401
        )
    assert (
        client.post(
            "/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD}, headers=sprayer, environ_base=PROXY
        ).status_code
        == 429
    )
    assert (
        client.post(
            "/login",
            data={"tenant": "acme", "username": "pm", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.20"},
            environ_base=PROXY,
        ).status_code
        == 302
    )


@pytest.mark.parametrize("app_config", [{"LOGIN_ADDRESS_RATE_LIMIT": "3 per 15 minutes"}])
def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client, tenant, app_config):
    for number, username in enumerate(("a", "b", "c")):
        assert (
            client.post(
                "/login",
                data={"tenant": "acme", "username": username, "password": "guess-1234"},
                headers={"X-Forwarded-For": f"192.0.2.{number}"},
                environ_base=SPRAYER,
            ).status_code
            == 401
        )
    assert (
        client.post(
            "/login",
            data={"tenant": "acme", "username": "d", "password": "guess-1234"},
            headers={"X-Forwarded-For": "192.0.2.99"},
            environ_base=SPRAYER,
        ).status_code
        == 429
    )
