"""Helpers for session tests: separate browsers (cookie jars), copying cookies, asking whether a jar is signed in."""

from __future__ import annotations

from ..conftest import PASSWORD

PAGE = "/costs/"  # a page only a signed-in ADMIN or PM may open


def browser(app, username: str = "pm", password: str = PASSWORD, remember: bool = False, tenant: str = "acme"):
    """A new test client (its own cookie jar) signed in through the form."""
    client = app.test_client()
    data = {"tenant": tenant, "username": username, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def copy_of(app, client, *cookie_names: str):
    """A fresh client holding only the named cookies of `client`, as an attacker who copied them would."""
    thief = app.test_client()
    for name in cookie_names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"{name} cookie missing"
        thief.set_cookie(name, cookie.value)
    return thief


def signed_in(client, page: str = PAGE) -> bool:
    """True when both a page and /api/me accept the client; False when both refuse it (any mix fails the test)."""
    page_response = client.get(page)
    api_response = client.get("/api/me")
    page_ok = page_response.status_code == 200
    api_ok = api_response.status_code == 200
    if not page_ok:
        assert page_response.status_code == 302 and page_response.headers["Location"].startswith("/login"), page_response.status
    if not api_ok:
        assert api_response.status_code == 401 and api_response.get_json() == {"detail": "로그인이 필요합니다."}
    assert page_ok == api_ok, (page_response.status, api_response.status)
    return page_ok
