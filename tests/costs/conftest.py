"""Costs test harness: the test app served over real HTTP (tests that exist only on PostgreSQL are `postgres_only`).

`served` runs the test's app (SQLite or PostgreSQL, as parametrised) on a loopback port in a thread,
as gunicorn would: each request gets its own contexts and the response body is read after the view
has returned and the request's database session has been removed.  The Flask test client cannot
show that order (it reads the first chunk before the request ends), which is how a streamed export
that read the request's cursor after its transaction ended once passed every test.
"""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from ..conftest import PASSWORD


@dataclass
class HttpAnswer:
    """A response read to its last byte."""

    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (the BOM kept)."""
        return self.body.decode("utf-8")


class HttpClient:
    """A browser-like HTTP client with its own cookie jar."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, username: str = "pm", password: str = PASSWORD, tenant: str = "acme") -> None:
        """Sign in through the form."""
        form = urllib.parse.urlencode({"tenant": tenant, "username": username, "password": password}).encode()
        with self.opener.open(self.base_url + "/login", data=form, timeout=30) as response:
            assert "/login" not in response.url, "sign-in failed"

    def get(self, path: str) -> HttpAnswer:
        """GET a path and read the whole body (error answers too)."""
        try:
            with self.opener.open(self.base_url + path, timeout=60) as response:
                return HttpAnswer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, dict(error.headers), error.read())

    def open_stream(self, path: str):
        """GET a path and hand back the open response, to read part of it and hang up."""
        return self.opener.open(self.base_url + path, timeout=60)


@dataclass
class Served:
    """The test app on a loopback port."""

    url: str

    def client(self) -> HttpClient:
        """A new HTTP client (its own session)."""
        return HttpClient(self.url)


@pytest.fixture
def served(app):
    """Serve the test's app over HTTP in a thread until the test ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def web(served, tenant):
    """An HTTP client signed in as the PM of acme."""
    client = served.client()
    client.login("pm")
    return client
