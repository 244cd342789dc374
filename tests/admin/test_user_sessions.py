"""An administrator's (or operator's) change of a password, role or active flag ends all of that user's sessions."""

import pytest
from sqlalchemy import select

from webapp.models import ApiToken, AuditLog, User, UserSession

from ..auth.cookies import browser, copy_of, signed_in
from ..conftest import PASSWORD


def _user(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def _edit(admin, user, **changes):
    """Post the admin edit form with the user's current values and `changes`."""
    data = {"username": user.username, "email": user.email, "role": user.role, "password": ""}
    if user.active:
        data["active"] = "y"
    data.update(changes)
    if data.get("active") is False:
        del data["active"]
    return admin.post(f"/admin/users/{user.id}/edit", data=data)


@pytest.fixture
def pm_browsers(app, tenant):
    """The PM signed in twice (one kept signed in), plus copies of each cookie, as a thief would hold them."""
    office = browser(app, "pm")
    laptop = browser(app, "pm", remember=True)
    return {
        "office": office,
        "laptop": laptop,
        "copied session cookie": copy_of(app, office, "session"),
        "copied remember cookie": copy_of(app, laptop, "remember_token"),
    }


@pytest.mark.parametrize(
    "changes, page, reason",
    [
        ({"password": "brand-new-secret-1"}, "/costs/", "password_change"),
        ({"active": False}, "/costs/", "deactivated"),
        ({"role": "STAFF"}, "/account/", "role_change"),  # STAFF may not open /costs/, so ask a page everyone may
    ],
    ids=["password", "deactivation", "role"],
)
def test_admin_change_ends_every_session_of_the_user(app, db, tenant, pm_browsers, changes, page, reason):
    for client in pm_browsers.values():
        assert signed_in(client, page)
    admin = browser(app, "admin")
    response = _edit(admin, _user(db, "pm"), **changes)
    assert response.status_code == 302
    for name, client in pm_browsers.items():
        assert not signed_in(client, page), name
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == _user(db, "pm").id)).all()
    assert {row.end_reason for row in rows} == {reason}
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "update", AuditLog.entity == "user"))
    assert audit.details["sessions_ended"] == 2
    assert signed_in(admin, page)  # the admin's own session is not touched


def test_reactivation_does_not_revive_old_sessions(app, db, tenant, pm_browsers):
    admin = browser(app, "admin")
    _edit(admin, _user(db, "pm"), active=False)
    _edit(admin, _user(db, "pm"), active="y")
    assert not signed_in(pm_browsers["office"]) and not signed_in(pm_browsers["copied remember cookie"])
    assert signed_in(browser(app, "pm"))


def test_an_e_mail_change_keeps_the_sessions(app, db, tenant, pm_browsers):
    admin = browser(app, "admin")
    assert _edit(admin, _user(db, "pm"), email="new-address@acme.kr").status_code == 302
    assert all(signed_in(client) for client in pm_browsers.values())


def test_admin_changing_own_password_stays_signed_in_elsewhere_signed_out(app, db, tenant):
    here, there = browser(app, "admin"), browser(app, "admin", remember=True)
    response = _edit(here, _user(db, "admin"), password="brand-new-secret-1")
    assert response.status_code == 302
    assert signed_in(here, "/admin/users") and not signed_in(there, "/admin/users")


def test_deactivation_through_the_admin_page_stops_api_tokens(app, db, tenant):
    _, raw = ApiToken.issue(_user(db, "pm"), "itsm")
    db.session.commit()
    api = app.test_client()
    assert api.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    _edit(browser(app, "admin"), _user(db, "pm"), active=False)
    assert api.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_role_change_keeps_api_tokens_with_the_new_role(app, db, tenant):
    _, raw = ApiToken.issue(_user(db, "pm"), "itsm")
    db.session.commit()
    _edit(browser(app, "admin"), _user(db, "pm"), role="STAFF")
    me = app.test_client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["role"] == "STAFF"


@pytest.mark.parametrize(
    "args, reason",
    [
        (["users", "set-password", "--password", "brand-new-secret-1"], "password_change"),
        (["users", "update", "--inactive"], "deactivated"),
        (["users", "update", "--role", "STAFF"], "role_change"),
        (["users", "sign-out"], "sign_out_everywhere"),
    ],
    ids=["set-password", "deactivate", "role", "sign-out"],
)
def test_cli_changes_end_the_users_sessions(app, runner, db, tenant, pm_browsers, args, reason):
    result = runner.invoke(args=[*args, "--tenant", "acme", "--username", "pm"])
    assert result.exit_code == 0, result.output
    assert "2 session(s)" in result.output
    for name, client in pm_browsers.items():
        assert not signed_in(client, "/account/"), name
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == _user(db, "pm").id)).all()
    assert {row.end_reason for row in rows} == {reason}
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "user")).all()[-1]
    assert audit.details["via"] == "cli" and audit.details["sessions_ended"] == 2 and audit.user_id is None


def test_cli_set_password_lets_the_user_sign_in_with_the_new_one(app, runner, db, tenant):
    result = runner.invoke(
        args=["users", "set-password", "--tenant", "acme", "--username", "pm"], input="brand-new-secret-1\nbrand-new-secret-1\n"
    )
    assert result.exit_code == 0, result.output
    assert app.test_client().post("/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD}).status_code == 401
    browser(app, "pm", "brand-new-secret-1")


def test_cli_refuses_a_short_password_and_an_unknown_user(app, runner, db, tenant, pm_browsers):
    short = runner.invoke(args=["users", "set-password", "--tenant", "acme", "--username", "pm", "--password", "short"])
    assert short.exit_code != 0 and "at least 8" in short.output
    unknown = runner.invoke(args=["users", "update", "--tenant", "acme", "--username", "nobody", "--inactive"])
    assert unknown.exit_code != 0 and "no user 'nobody'" in unknown.output
    assert signed_in(pm_browsers["office"])


def test_cli_update_without_a_change_ends_nothing(app, runner, db, tenant, pm_browsers):
    result = runner.invoke(args=["users", "update", "--tenant", "acme", "--username", "pm", "--role", "PM", "--active"])
    assert result.exit_code == 0 and "nothing to change" in result.output
    assert all(signed_in(client) for client in pm_browsers.values())
