"""CSRF protection on forms, htmx requests and session-authenticated API writes."""

import re

import pytest


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _csrf_from_page(client, path):
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    return match.group(1)


def test_form_post_without_token_is_refused(client, tenant):
    response = client.post("/login", data={"tenant": "acme", "username": "pm", "password": "correct-horse-9"})
    assert response.status_code == 400
    assert "보안 토큰" in response.get_data(as_text=True)


def test_form_post_with_token_signs_in(client, tenant):
    token = _csrf_from_page(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "tenant": "acme", "username": "pm", "password": "correct-horse-9"}
    )
    assert response.status_code == 302


def _signed_in(client):
    token = _csrf_from_page(client, "/login")
    client.post("/login", data={"csrf_token": token, "tenant": "acme", "username": "pm", "password": "correct-horse-9"})
    return _csrf_from_page(client, "/account/tokens")


def test_htmx_request_uses_header_token(client, tenant):
    token = _signed_in(client)
    refused = client.post("/lang", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post("/lang", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 302


def test_logout_without_token_is_refused(client, tenant):
    _signed_in(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/account/tokens").status_code == 200  # still signed in


def test_session_api_write_needs_token(client, tenant):
    token = _signed_in(client)
    refused = client.post("/api/me")  # a write through the browser session without the header
    assert refused.status_code == 400 and "detail" in refused.get_json()
    assert client.post("/api/me", headers={"X-CSRFToken": token}).status_code == 405  # past CSRF; /api/me is GET only


def test_bearer_api_write_skips_csrf(app, db, tenant):
    from sqlalchemy import select

    from webapp.api import require_authentication
    from webapp.models import ApiToken, User

    user = db.session.scalar(select(User).where(User.username == "pm"))
    _, raw = ApiToken.issue(user)
    db.session.commit()
    with (
        app.app_context(),
        app.test_request_context("/api/finops/costs", method="POST", headers={"Authorization": f"Bearer {raw}"}),
    ):
        assert require_authentication() is None  # authenticated, and no CSRF error raised
    with app.app_context(), app.test_request_context("/api/finops/costs", method="POST"):
        assert require_authentication()[1] == 401
