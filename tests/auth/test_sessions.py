"""Server-side sessions: sign-out, password change and "sign out everywhere" end copied cookies too."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.models import ApiToken, AuditLog, User, UserSession, utcnow

from ..conftest import PASSWORD
from .cookies import browser, copy_of, signed_in

NEW_PASSWORD = "battery-staple-42"


def _user(db, username="pm"):
    return db.session.scalar(select(User).where(User.username == username))


def _sessions(db, username="pm"):
    return db.session.scalars(select(UserSession).join(User).where(User.username == username).order_by(UserSession.id)).all()


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_is_refused_after_sign_out(app, tenant, cookie):
    victim = browser(app, remember=True)
    copied = copy_of(app, victim, cookie)
    assert signed_in(copied)  # the copy works while the session lives
    assert victim.post("/logout").status_code == 302
    assert not signed_in(copied)
    assert not signed_in(victim)


def test_sign_out_ends_only_this_browser(app, db, tenant):
    office, laptop = browser(app), browser(app)
    office.post("/logout")
    assert not signed_in(office) and signed_in(laptop)
    reasons = [row.end_reason for row in _sessions(db)]
    assert reasons == ["sign_out", None]
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "logout")) == 1


def test_a_refused_remember_cookie_is_deleted_from_the_browser(app, tenant):
    victim = browser(app, remember=True)
    copied = copy_of(app, victim, "remember_token")
    victim.post("/logout")
    response = copied.get("/costs/")
    assert response.status_code == 302
    assert any(h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie"))


def test_a_cookie_from_before_the_upgrade_is_refused(app, db, tenant):
    """Cookies that name a bare user id (no server-side session) no longer sign anyone in."""
    legacy = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(_user(db).id), "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", legacy)
    assert not signed_in(client)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_sign_in_starts_a_new_session(app, db, tenant, app_config):
    """Session fixation: a cookie planted before sign-in stays anonymous, and every sign-in gets a new key."""
    import re

    victim = app.test_client()
    page = victim.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    planted = copy_of(app, victim, "session")
    before = victim.get_cookie("session").value
    response = victim.post("/login", data={"csrf_token": token, "tenant": "acme", "username": "pm", "password": PASSWORD})
    assert response.status_code == 302
    assert victim.get_cookie("session").value != before
    assert victim.get("/costs/").status_code == 200
    assert planted.get("/costs/").status_code == 302
    browser_two = app.test_client()
    page = browser_two.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    browser_two.post("/login", data={"csrf_token": token, "tenant": "acme", "username": "pm", "password": PASSWORD})
    first, second = _sessions(db)
    assert first.key_hash != second.key_hash


def test_remember_me_lasts_at_most_30_days(app, db, tenant):
    client = app.test_client()
    response = client.post("/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD, "remember": "y"})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = datetime.strptime(header.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    lifetime = expires.replace(tzinfo=UTC) - utcnow()
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)
    assert "HttpOnly" in header and "SameSite=Lax" in header
    (row,) = _sessions(db)
    assert row.remember and row.expires_at - row.created_at == timedelta(days=30)


def test_a_plain_session_ends_after_the_idle_timeout(app, db, tenant):
    client = browser(app)
    (row,) = _sessions(db)
    assert not row.remember and row.expires_at - row.created_at == timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not signed_in(client)


def test_use_slides_the_expiry_within_the_bound(app, db, tenant):
    client = browser(app)
    (row,) = _sessions(db)
    hour_ago = utcnow() - timedelta(hours=1)
    row.created_at = row.last_seen_at = hour_ago
    row.expires_at = hour_ago + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    db.session.commit()
    assert signed_in(client)
    db.session.refresh(row)
    assert row.last_seen_at > hour_ago + timedelta(minutes=59)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    assert abs(row.expires_at - (utcnow() + idle)) < timedelta(minutes=1)
    # Near the 30-day bound, use no longer extends the session.
    row.created_at = utcnow() - timedelta(days=30) + timedelta(minutes=5)
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    assert signed_in(client)
    db.session.refresh(row)
    assert row.expires_at == row.created_at + timedelta(days=30)


def test_password_change_on_the_account_page_keeps_this_session_only(app, db, tenant):
    here = browser(app, remember=True)
    there = browser(app, remember=True)
    there_remembered = copy_of(app, there, "remember_token")
    response = here.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert "다른 세션 1개" in here.get("/account/").get_data(as_text=True)
    assert signed_in(here)
    assert not signed_in(there) and not signed_in(there_remembered)
    assert app.test_client().post("/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD}).status_code == 401
    browser(app, password=NEW_PASSWORD)
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "change_password"))
    assert audit.entity_id == str(_user(db).id) and audit.details["sessions_ended"] == 1


@pytest.mark.parametrize(
    "data, field_message",
    [
        (
            {"current_password": "wrong-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            "현재 비밀번호: 현재 비밀번호가 아닙니다",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"},
            "두 새 비밀번호가 다릅니다",
        ),
        ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}, "8~256자"),
        ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD}, "현재 비밀번호와 다른"),
        # NUL and the other C0 controls are refused for every form before any view (the error page names the field) …
        (
            {
                "current_password": PASSWORD,
                "new_password": "\x01\x02\x03\x04\x05\x06\x07\x08",
                "confirm_password": "\x01\x02\x03\x04\x05\x06\x07\x08",
            },
            "new_password: 저장할 수 없는 제어 문자(U+0001)",
        ),
        (
            {"current_password": PASSWORD, "new_password": "long-enough\x00-1", "confirm_password": "long-enough\x00-1"},
            "new_password: 저장할 수 없는 제어 문자(U+0000)",
        ),
        # … a tab passes that check and is refused by the password form itself
        (
            {"current_password": PASSWORD, "new_password": "long\tenough-1", "confirm_password": "long\tenough-1"},
            "인쇄 가능한 문자",
        ),
    ],
)
def test_a_refused_password_change_names_the_field_and_changes_nothing(app, db, tenant, data, field_message):
    here, there = browser(app), browser(app)
    before = _user(db).password_hash
    response = here.post("/account/password", data=data)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _user(db).password_hash == before
    assert signed_in(here) and signed_in(there)


def test_wrong_current_passwords_are_limited(app, tenant):
    here = browser(app)
    typo = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    for _ in range(6):  # typos in the new password are not guesses and do not count
        assert here.post("/account/password", data=typo).status_code == 422
    wrong = {"current_password": "wrong-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(5):
        assert here.post("/account/password", data=wrong).status_code == 422
    right = dict(wrong, current_password=PASSWORD)
    assert here.post("/account/password", data=right).status_code == 429


def test_sign_out_everywhere_ends_every_session(app, db, tenant):
    here = browser(app)
    there = browser(app, remember=True)
    there_copy = copy_of(app, there, "remember_token")
    colleague = browser(app, "admin")
    response = here.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not signed_in(here) and not signed_in(there) and not signed_in(there_copy)
    assert signed_in(colleague)
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "sign_out_everywhere"))
    assert audit.details["sessions_ended"] == 2 and audit.user_id == _user(db).id


def test_account_page_lists_live_sessions_and_ends_another(app, db, tenant):
    here = app.test_client()
    here.post(
        "/login",
        data={"tenant": "acme", "username": "pm", "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"},
    )
    there = app.test_client()
    there.post(
        "/login",
        data={"tenant": "acme", "username": "pm", "password": PASSWORD, "remember": "y"},
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    browser(app, "admin")  # someone else's session is not listed
    page = here.get("/account/").get_data(as_text=True)
    listed = page.split('data-testid="sessions"')[1]
    assert "Chrome · Windows" in listed and "Safari · iOS" in listed and "10.1.2.3" in listed
    assert listed.count("이 브라우저") == 1 and listed.count("<tr>") == 3  # header + two sessions
    mine, theirs = _sessions(db)
    assert here.post(f"/account/sessions/{theirs.id}/end").status_code == 302
    assert signed_in(here) and not signed_in(there)
    admin_session = _sessions(db, "admin")[0]
    assert here.post(f"/account/sessions/{admin_session.id}/end").status_code == 404
    db.session.refresh(admin_session)
    assert admin_session.revoked_at is None


def test_bearer_tokens_are_not_browser_sessions(app, db, tenant):
    """Signing out everywhere and changing the password leave the user's API tokens working."""
    _, raw = ApiToken.issue(_user(db), "itsm")
    db.session.commit()
    here = browser(app)
    here.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    here.post("/account/sign-out-everywhere")
    api = app.test_client()
    assert api.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_maintenance_purges_ended_sessions(app, db, tenant):
    from webapp.schedules.retention import purge_expired

    live, signed_out, expired = browser(app), browser(app), browser(app)
    signed_out.post("/logout")
    expired_row = _sessions(db)[2]
    expired_row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert purge_expired()["sessions"] == 2
    db.session.expire_all()
    assert len(_sessions(db)) == 1 and signed_in(live)
    assert not signed_in(signed_out) and not signed_in(expired)  # a purged row refuses its cookie as well
