"""Signing in and out."""

import pytest
from sqlalchemy import select

from webapp.models import AuditLog


def test_login_page_is_korean_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "기관 코드" in page and "비밀번호" in page and "로그인" in page


def test_login_success_reaches_dashboard(client, auth, tenant):
    response = auth.login("pm")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "대시보드" in page and tenant.name in page


def test_login_is_audited(client, auth, tenant, db):
    auth.login("pm")
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "login"))
    assert row is not None and row.tenant_id == tenant.id


@pytest.mark.parametrize(
    "tenant_code, username, password",
    [("acme", "pm", "wrong-password"), ("acme", "nobody", "correct-horse-9"), ("other", "pm", "correct-horse-9")],
)
def test_login_failure_shows_message(client, auth, tenant, tenant_code, username, password):
    response = auth.login(username, password, tenant=tenant_code)
    assert response.status_code == 401
    assert "올바르지 않습니다" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_inactive_user_cannot_sign_in(client, auth, factory, tenant):
    factory.user(tenant, "gone", "PM", active=False)
    assert auth.login("gone").status_code == 401


def test_missing_fields_name_the_field(client, tenant):
    response = client.post("/login", data={"tenant": "acme", "username": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="error"') >= 2


def test_repeated_failures_are_refused(client, auth, tenant):
    for _ in range(5):
        assert auth.login("pm", "bad-password").status_code == 401
    refused = auth.login("pm", "correct-horse-9")
    assert refused.status_code == 429
    assert "시도 횟수가 너무 많습니다" in refused.get_data(as_text=True)


def test_successful_logins_are_not_counted_against_the_limit(client, auth, tenant):
    for _ in range(7):
        assert auth.login("pm").status_code == 302
        auth.logout()


def test_logout_ends_the_session(client, auth, tenant):
    auth.login("pm")
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/dashboard").status_code == 302


def test_next_parameter_only_follows_local_paths(client, auth, tenant):
    response = client.post(
        "/login?next=https://evil.example/x", data={"tenant": "acme", "username": "pm", "password": "correct-horse-9"}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/account/tokens", data={"tenant": "acme", "username": "pm", "password": "correct-horse-9"}
    )
    assert response.headers["Location"] == "/account/tokens"


def test_session_cookie_flags(client, auth, tenant):
    response = auth.login("pm")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("app_config", [{"PASSWORD_HASH_METHOD": "scrypt"}])
def test_password_is_hashed(db, tenant, app_config):
    from webapp.models import User

    user = db.session.scalar(select(User).where(User.username == "pm"))
    assert user.password_hash.startswith("scrypt:") and "correct-horse-9" not in user.password_hash
