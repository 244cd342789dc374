"""Shared fixtures: the app on SQLite (and PostgreSQL when switched on), clients, sign-in helpers.

Switches (set by .ci/run):
  TEST_DATABASE_URL  e.g. postgresql://postgres@127.0.0.1:5432/postgres — the whole suite runs on
                     PostgreSQL too (each test database is built by the migrations).
  TEST_REDIS_URL     e.g. redis://127.0.0.1:6379/15 — the Redis suite runs real rq workers.
With CI=true both must be set and reachable: a missing service fails the run instead of skipping.

A test that cannot apply to SQLite (processes sharing one database) is marked `postgres_only`:
it is generated for PostgreSQL alone, never collected for SQLite and skipped there, so a CI run
skips nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from flask.testing import FlaskClient

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="icr-test-instance-"))

from sqlalchemy import create_engine, text  # noqa: E402

from scripts import scratch_db  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import normalise_database_url  # noqa: E402
from webapp.extensions import db as _db  # noqa: E402
from webapp.extensions import limiter  # noqa: E402

from .factories import PASSWORD, Factory  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite"] + (["postgresql"] if PG_ADMIN_URL else [])


def pytest_sessionstart(session):
    """Compile the translations (a set-up step, as `make` does); in CI require PostgreSQL and Redis."""
    from webapp.i18n import compile_catalogues

    compile_catalogues()
    if not IN_CI:
        return
    problems = []
    if not PG_ADMIN_URL:
        problems.append("TEST_DATABASE_URL is not set")
    if not REDIS_URL:
        problems.append("TEST_REDIS_URL is not set")
    if PG_ADMIN_URL:
        try:
            engine = create_engine(normalise_database_url(PG_ADMIN_URL))
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"PostgreSQL unreachable: {exc}")
    if REDIS_URL:
        from redis import Redis

        try:
            Redis.from_url(REDIS_URL).ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"Redis unreachable: {exc}")
    if problems:
        pytest.exit("CI requires PostgreSQL and Redis: " + "; ".join(problems), returncode=3)


def base_config(database_uri: str, **extra) -> dict:
    """Test settings: no Redis unless asked, e-mail kept in memory, CSRF off unless a test turns it on."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "locmem",
        "SCHEDULER_EMBEDDED": False,
        "BASE_URL": "http://localhost",
        # scrypt costs ~80 ms a hash and most tests create and sign in users; tests/auth checks scrypt itself.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    config.update(extra)
    return config


def migrate_to_head(database_uri: str) -> None:
    """Build the schema with the Alembic migrations, as production does."""
    from flask_migrate import upgrade

    app = create_app(base_config(database_uri))
    with app.app_context():
        upgrade(revision="heads")
        _db.engine.dispose()


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies (much faster than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate_to_head(f"sqlite:///{path}")
    return path


def create_pg_database(prefix: str = "icr_test") -> str:
    """Create an empty PostgreSQL database on the TEST_DATABASE_URL server and return its URL."""
    return scratch_db.create_database(PG_ADMIN_URL, prefix)


def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database."""
    scratch_db.drop_database(PG_ADMIN_URL, url)


@pytest.fixture(scope="session")
def pg_database():
    """One migrated PostgreSQL database for the session; tables are emptied after each test."""
    url = create_pg_database()
    migrate_to_head(url)
    yield url
    drop_pg_database(url)


def truncate_all(database_uri: str) -> None:
    """Empty every table but Alembic's, resetting ids."""
    engine = create_engine(database_uri)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
        ]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


def backends_for(definition) -> list[str]:
    """The databases a test runs on: every backend switched on, PostgreSQL only for `postgres_only` tests."""
    if definition.get_closest_marker("postgres_only"):
        return [backend for backend in BACKENDS if backend == "postgresql"]
    return list(BACKENDS)


def pytest_generate_tests(metafunc):
    """Parametrise every test that uses a database by the backends it applies to."""
    if "database_uri" not in metafunc.fixturenames:
        return
    backends = backends_for(metafunc.definition)
    if not backends:  # a local run without TEST_DATABASE_URL (CI always has it: see pytest_sessionstart)
        backends = [pytest.param("postgresql", marks=pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL"))]
    metafunc.parametrize("database_uri", backends, indirect=True)


@pytest.fixture
def database_uri(request, tmp_path):
    """A fresh, migrated database for one test: SQLite always, PostgreSQL when switched on (see pytest_generate_tests)."""
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    yield url
    truncate_all(url)


@pytest.fixture
def app_config():
    """Per-test overrides; a test module may redefine this fixture."""
    return {}


@pytest.fixture
def own_redis():
    """A redis-server of this test's own (see tests/redis_server.py), stopped afterwards."""
    from .redis_server import RedisServer

    server = RedisServer()
    server.start()
    yield server
    server.stop()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The fixtures keep an app context open for the test body; without this, requests would
    share its `g` (the signed-in user) and its database session.  After each request the
    test's own session is expired so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def app(database_uri, app_config, tmp_path):
    """The app under test, on a fresh database."""
    app = create_app(base_config(database_uri, MAIL_FILE_PATH=str(tmp_path / "outbox"), **app_config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        from webapp.jobs import wait_for_embedded_jobs

        wait_for_embedded_jobs(timeout=30)
        _db.session.remove()
        _db.engine.dispose()
    limiter.reset()


@pytest.fixture
def bare_app(app_config, tmp_path):
    """The app without a database, for tests of templates, labels and formatting: runs once, not once per database.

    Its SQLAlchemy URI is an in-memory SQLite that nothing migrates: a test that queries needs `app` instead.
    """
    app = create_app(base_config("sqlite://", MAIL_FILE_PATH=str(tmp_path / "outbox"), **app_config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _db.session.remove()
    limiter.reset()


@pytest.fixture
def db(app):
    """The SQLAlchemy extension, inside the app context."""
    return _db


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


# --- data helpers --------------------------------------------------------------------------


@pytest.fixture
def factory(app):
    """Create tenants and users."""
    return Factory()


@pytest.fixture
def tenant(factory):
    """The tenant most tests act in, with one user of each role: admin, pm, staff."""
    tenant = factory.tenant("acme")
    for role in ("ADMIN", "PM", "STAFF"):
        factory.user(tenant, role.lower(), role)
    return tenant


@pytest.fixture
def other_tenant(factory):
    """A second tenant whose data the first must never see."""
    tenant = factory.tenant("other", "다른 기관")
    factory.user(tenant, "admin", "ADMIN")
    return tenant


class AuthActions:
    """Sign in and out through the real form."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str = "pm", password: str = PASSWORD, tenant: str = "acme"):
        """Post the sign-in form."""
        return self._client.post("/login", data={"tenant": tenant, "username": username, "password": password})

    def logout(self):
        """Post the sign-out form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    """Sign-in helper bound to the test client."""
    return AuthActions(client)
