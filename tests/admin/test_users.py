"""User administration: create, edit, tenant isolation."""

import re

import pytest
from sqlalchemy import func, select

from webapp.models import AuditLog, User

from ..factories import PASSWORD


def _count(db, **where):
    query = select(func.count()).select_from(User)
    for key, value in where.items():
        query = query.where(getattr(User, key) == value)
    return db.session.scalar(query)


def test_admin_creates_user_who_can_sign_in(client, auth, db, tenant):
    auth.login("admin")
    response = client.post(
        "/admin/users/new",
        data={"username": "kim", "email": "kim@acme.kr", "role": "STAFF", "active": "y", "password": "long-enough-1"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "user", AuditLog.action == "create")) is not None
    auth.logout()
    assert auth.login("kim", "long-enough-1").status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "pm", "email": "x@acme.kr", "role": "PM", "password": "long-enough-1"}, "이미 사용 중"),
        ({"username": "new user", "email": "x@acme.kr", "role": "PM", "password": "long-enough-1"}, "아이디:"),
        ({"username": "newbie", "email": "not-an-email", "role": "PM", "password": "long-enough-1"}, "올바르지 않은 이메일"),
        ({"username": "newbie", "email": "x@acme.kr", "role": "BOSS", "password": "long-enough-1"}, "올바르지 않은 선택"),
        ({"username": "newbie", "email": "x@acme.kr", "role": "PM", "password": ""}, "비밀번호:"),
    ],
)
def test_bad_user_input_is_refused(client, auth, db, tenant, data, message):
    auth.login("admin")
    before = _count(db)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _count(db) == before


def test_same_username_allowed_in_another_tenant(client, auth, db, tenant, other_tenant):
    auth.login("admin")
    response = client.post(
        "/admin/users/new", data={"username": "pm2", "email": "a@b.kr", "role": "PM", "password": "long-enough-1"}
    )
    assert response.status_code == 302
    assert _count(db, username="admin") == 2  # one per tenant


def test_admin_edits_role_and_deactivates(client, auth, db, tenant):
    auth.login("admin")
    staff = db.session.scalar(select(User).where(User.username == "staff"))
    response = client.post(f"/admin/users/{staff.id}/edit", data={"username": "staff", "email": "s@acme.kr", "role": "PM"})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.role == "PM" and staff.active is False and staff.email == "s@acme.kr"


def test_admin_cannot_demote_self(client, auth, db, tenant):
    auth.login("admin")
    me = db.session.scalar(select(User).where(User.username == "admin"))
    response = client.post(
        f"/admin/users/{me.id}/edit", data={"username": "admin", "email": "a@acme.kr", "role": "PM", "active": "y"}
    )
    assert response.status_code == 422
    db.session.refresh(me)
    assert me.role == "ADMIN"


def test_other_tenants_user_is_404(client, auth, db, tenant, other_tenant):
    foreign = db.session.scalar(select(User).where(User.tenant_id == other_tenant.id))
    auth.login("admin")
    assert client.get(f"/admin/users/{foreign.id}/edit").status_code == 404
    response = client.post(f"/admin/users/{foreign.id}/edit", data={"username": "x", "email": "x@x.kr", "role": "STAFF"})
    assert response.status_code == 404
    db.session.refresh(foreign)
    assert foreign.username == "admin" and foreign.role == "ADMIN"


def test_user_list_shows_only_own_tenant(client, auth, tenant, other_tenant):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "admin@acme.example.kr" in page and "other.example.kr" not in page


def test_user_list_is_paginated(client, auth, factory, tenant):
    for i in range(30):
        factory.user(tenant, f"user{i:02d}", "STAFF")
    auth.login("admin")
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "2쪽 중 1쪽" in first and "user29" in second and "user29" not in first


def test_the_user_list_shows_each_users_last_sign_in(client, auth, db, tenant, other_tenant):
    from datetime import UTC, datetime

    from webapp.audit import record

    pm = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))
    for at in (datetime(2026, 3, 1, 0, 0, tzinfo=UTC), datetime(2026, 3, 9, 15, 30, tzinfo=UTC)):
        record("login", "user", pm.id, user=pm).at = at
    stranger = db.session.scalar(select(User).where(User.tenant_id == other_tenant.id))
    record("login", "user", pm.id, user=stranger, tenant_id=other_tenant.id).at = datetime(2026, 5, 1, tzinfo=UTC)
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    cells = re.findall(r'data-testid="last-sign-in">([^<]*)<', page)
    rows = re.findall(r'data-label="아이디">([^<]+)<', page)
    shown = dict(zip(rows, cells, strict=True))
    assert shown["pm"] == "2026-03-10 00:30"  # the later sign-in, in the institution's time (Seoul)
    assert shown["staff"] == "없음"
    assert shown["admin"].startswith("20")  # signed in just now


def test_admin_resets_a_forgotten_password(app, client, auth, db, tenant):
    pm = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))
    laptop = app.test_client()
    assert laptop.post("/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD}).status_code == 302
    auth.login("admin")
    form = client.get(f"/admin/users/{pm.id}/edit").get_data(as_text=True)
    assert "비밀번호 재설정" in form
    response = client.post(
        f"/admin/users/{pm.id}/edit",
        data={"username": "pm", "email": pm.email, "role": "PM", "active": "y", "password": "a-fresh-pass-42"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "pm의 비밀번호를 재설정했고, 그 사용자의 모든 세션을 종료했습니다." in page
    assert laptop.get("/reports/").status_code == 302  # the pm's open session ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"tenant": "acme", "username": "pm", "password": PASSWORD}).status_code != 302
    assert fresh.post("/login", data={"tenant": "acme", "username": "pm", "password": "a-fresh-pass-42"}).status_code == 302
    row = db.session.scalars(select(AuditLog).where(AuditLog.entity == "user", AuditLog.action == "update")).all()[-1]
    assert row.details["password"] == "changed" and "a-fresh-pass-42" not in str(row.details)
