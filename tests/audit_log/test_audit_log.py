"""The audit log page (ADMIN: everything; PM: costs and budgets) and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.audit import record
from webapp.costs.service import create_cost, update_cost
from webapp.models import AuditLog, User


def user(db, tenant, username):
    return db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))


def add_row(db, tenant, actor, action, entity, at, **details):
    row = record(action, entity, 1, user=actor, tenant_id=tenant.id, **details)
    row.at = at
    db.session.commit()
    return row


@pytest.fixture
def trail(db, tenant, other_tenant):
    """A cost created and changed by the PM, a user created by the ADMIN, and another tenant's change."""
    pm, admin = user(db, tenant, "pm"), user(db, tenant, "admin")
    cost = create_cost(
        pm,
        {
            "year": 2026,
            "month": 3,
            "category": "SERVER",
            "service": "INFRA",
            "amount": Decimal("1000000"),
            "description": "서버 임차",
            "department": "",
            "server_id": None,
        },
    )
    update_cost(
        cost,
        pm,
        {
            **{f: getattr(cost, f) for f in ("year", "month", "category", "service", "description", "department", "server_id")},
            "amount": Decimal("1250000"),
        },
    )
    add_row(db, tenant, admin, "create", "user", datetime(2026, 3, 2, 1, 0, tzinfo=UTC), username="newbie", role="STAFF")
    stranger = db.session.scalar(select(User).where(User.tenant_id == other_tenant.id))
    add_row(db, other_tenant, stranger, "update", "cost", datetime(2026, 3, 2, 1, 0, tzinfo=UTC), amount=["7777777", "8888888"])
    return cost


def test_admin_sees_every_area_with_before_and_after(client, auth, trail):
    auth.login("admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "감사 로그" in page
    assert "금액</span>: <del>₩1,000,000</del> → <ins>₩1,250,000</ins>" in page
    assert "newbie" in page and "사용자·로그인" in page
    assert "7777777" not in page and "8888888" not in page  # another tenant's row


def test_pm_sees_costs_and_budgets_only(client, auth, trail):
    auth.login("pm")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "<del>₩1,000,000</del>" in page
    assert "newbie" not in page and 'value="users"' not in page
    refused = client.get("/admin/audit/?area=users")
    assert refused.status_code == 422
    assert "영역: 목록에 있는 영역 중에서 고르세요." in refused.get_data(as_text=True)


def test_staff_is_refused(client, auth, trail):
    auth.login("staff")
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403


def test_filters_by_user_area_and_tenant_date(client, auth, db, tenant, trail):
    admin = user(db, tenant, "admin")
    # 2026-03-09 23:30 in Seoul is 14:30 UTC the same day; 2026-03-10 00:30 in Seoul is 15:30 UTC on the 9th
    add_row(
        db, tenant, admin, "update", "budget", datetime(2026, 3, 9, 14, 30, tzinfo=UTC), amount=["1", "2"], note="late-evening"
    )
    add_row(
        db, tenant, admin, "update", "budget", datetime(2026, 3, 9, 15, 30, tzinfo=UTC), amount=["3", "4"], note="after-midnight"
    )
    auth.login("admin")
    page = client.get("/admin/audit/?area=budgets&start=2026-03-09&end=2026-03-09").get_data(as_text=True)
    assert "late-evening" in page and "after-midnight" not in page
    page = client.get("/admin/audit/?area=budgets&start=2026-03-10&end=2026-03-10").get_data(as_text=True)
    assert "after-midnight" in page and "late-evening" not in page
    page = client.get(f"/admin/audit/?user={admin.id}").get_data(as_text=True)
    assert "newbie" in page and "₩1,250,000" not in page


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("start=2026-02-30", "start", "날짜: YYYY-MM-DD 형식으로 입력하세요."),
        ("start=2026-03-10&end=2026-03-01", "end", "종료일: 시작일과 같거나 그 뒤여야 합니다."),
        ("user=abc", "user", "사용자: 이 기관의 사용자 중에서 고르세요."),
        ("user=99999999", "user", "사용자: 이 기관의 사용자 중에서 고르세요."),
    ],
)
def test_bad_filters_are_named_and_never_500(client, auth, trail, query, field, message):
    auth.login("admin")
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'id="audit-{field}-error"' in page
    assert client.get(f"/admin/audit/export.csv?{query}").status_code == 400


def test_another_tenants_user_is_not_a_filter(client, auth, db, other_tenant, trail):
    stranger = db.session.scalar(select(User).where(User.tenant_id == other_tenant.id))
    auth.login("admin")
    assert client.get(f"/admin/audit/?user={stranger.id}").status_code == 422


def test_pages_of_fifty(client, auth, db, tenant, trail):
    admin = user(db, tenant, "admin")
    for number in range(60):
        add_row(
            db, tenant, admin, "update", "budget", datetime(2026, 1, 1, tzinfo=UTC), amount=["1", "2"], seq=f"row-{number:02d}"
        )
    auth.login("admin")
    first = client.get("/admin/audit/?area=budgets").get_data(as_text=True)
    second = client.get("/admin/audit/?area=budgets&page=2").get_data(as_text=True)
    assert first.count("row-") == 50 and second.count("row-") == 10
    assert "area=budgets" in second and "2 / 2" in second or "Page 2 of 2" in second or "2/2" in second or "페이지" in second


def test_the_filter_swaps_only_the_rows(client, auth, trail):
    auth.login("admin")
    response = client.get("/admin/audit/?area=costs", headers={"HX-Request": "true", "HX-Target": "audit-rows"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="audit-rows">') and "<html" not in body
    assert "₩1,250,000" in body


def test_export_follows_the_filter_and_neutralises_formulas(client, auth, db, tenant, trail):
    admin = user(db, tenant, "admin")
    add_row(db, tenant, admin, "update", "budget", datetime(2026, 3, 5, tzinfo=UTC), note=["", "=HYPERLINK(1)"])
    auth.login("admin")
    response = client.get("/admin/audit/export.csv?area=budgets")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["시각", "사용자", "영역", "작업", "대상", "변경 내용"]
    assert len(rows) == 2 and rows[1][1] == "admin" and rows[1][2] == "예산"
    assert "=HYPERLINK" in rows[1][5] and not rows[1][5].startswith("=")
    everything = list(csv.reader(io.StringIO(client.get("/admin/audit/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    stored = db.session.scalar(select(AuditLog.id).where(AuditLog.tenant_id == tenant.id).order_by(AuditLog.id.desc()))
    assert stored and len(everything) - 1 == db.session.query(AuditLog).filter(AuditLog.tenant_id == tenant.id).count()


def test_in_english(client, auth, trail):
    auth.login("admin")
    client.set_cookie("lang", "en")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Audit log" in page and "Changed" in page and "Users and sign-in" in page
