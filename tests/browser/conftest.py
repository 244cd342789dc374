"""Browser test harness: the app served on a loopback port, driven by Playwright in Debian's Chromium.

Fixtures for journeys:
  live_server   — module-scoped; `.url` (http://127.0.0.1:PORT), `.app` (the Flask app, for reading the
                  database inside `with live_server.app.app_context():`), `.outbox` (the mail folder).
                  Embedded mode: SQLite migrated by Alembic, in-process jobs, CSRF on, demo tenant seeded.
  page          — a fresh browser context (Korean locale, downloads allowed) and page for one test.
  new_context   — a factory for more contexts (e.g. a second visitor without a session).
  login(page, username="pm")      — signs in as a demo user through the form.
  screenshot(page, name)          — saves tests/artifacts/screenshots/<name>.png (kept as CI artefacts).
In CI (CI=true) a missing /usr/bin/chromium fails the run instead of skipping.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from webapp import create_app
from webapp.demo import DEMO_USERS

from ..conftest import IN_CI, base_config, migrate_to_head

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DEMO_PASSWORDS = {username: password for username, _role, password in DEMO_USERS}


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """A running app and where to reach it."""

    url: str
    app: object
    outbox: Path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Serve the embedded-mode app with the demo tenant on a free loopback port."""
    from webapp.demo import seed_demo
    from webapp.extensions import db
    from webapp.jobs import wait_for_embedded_jobs

    folder = tmp_path_factory.mktemp("live")
    database_uri = f"sqlite:///{folder / 'app.db'}"
    migrate_to_head(database_uri)
    app = create_app(
        base_config(
            database_uri, WTF_CSRF_ENABLED=True, MAIL_BACKEND="file", MAIL_FILE_PATH=str(folder / "outbox"), TESTING=False
        )
    )
    with app.app_context():
        seed_demo(echo=lambda *_: None)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app, outbox=folder / "outbox")
    server.shutdown()
    with app.app_context():
        wait_for_embedded_jobs(timeout=30)
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: install the Debian package 'chromium'")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Make browser contexts (separate cookie jars) that are closed after the test."""
    contexts = []

    def make(**options):
        options = {"locale": "ko-KR", "accept_downloads": True, "viewport": {"width": 1360, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context."""
    return new_context().new_page()


@pytest.fixture
def login(live_server):
    """Sign in through the form as one of the demo users."""

    def sign_in(page, username: str = "pm"):
        page.goto(f"{live_server.url}/login")
        page.fill("#tenant", "demo")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORDS[username])
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/artifacts/screenshots/."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
