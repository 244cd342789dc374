"""The SR screen: list with filters and pages, create, edit, status changes (resolved_at follows DONE), isolation."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.models import AuditLog, ServiceRequest, utcnow

from ..factories import add_sr, local

HX = {"HX-Request": "true"}


def fetch(db, sr_id) -> ServiceRequest:
    """The SR as stored now."""
    db.session.expire_all()
    return db.session.get(ServiceRequest, sr_id)


@pytest.mark.parametrize("role", ["admin", "pm", "staff"])
def test_every_role_sees_the_list(client, auth, tenant, role):
    add_sr(tenant, "2026-03-02 09:00", title="ERP 계정 권한 요청")
    auth.login(role)
    page = client.get("/service-requests/").get_data(as_text=True)
    assert "ERP 계정 권한 요청" in page and "서비스 요청 1건" in page
    assert "2026-03-02 09:00" in page  # shown in the tenant's time zone


def test_filters_and_pagination(client, auth, tenant, other_tenant):
    for n in range(30):
        add_sr(
            tenant,
            f"2026-03-{n % 28 + 1:02d} 10:00",
            title=f"요청 {n:02d}",
            type="INCIDENT" if n % 3 == 0 else "REQUEST",
            priority="P1" if n % 5 == 0 else "P3",
            service="MES" if n % 2 else "ERP",
        )
    add_sr(other_tenant, "2026-03-05 10:00", title="다른 기관 요청")
    auth.login("pm")
    page = client.get("/service-requests/").get_data(as_text=True)
    assert "서비스 요청 30건" in page and "다른 기관 요청" not in page
    assert len(re.findall(r'<tr id="sr-', page)) == 25
    second = client.get("/service-requests/?page=2").get_data(as_text=True)
    assert len(re.findall(r'<tr id="sr-', second)) == 5
    fragment = client.get("/service-requests/?type=INCIDENT&service=ERP", headers={**HX, "HX-Target": "sr-list"}).get_data(
        as_text=True
    )
    assert fragment.lstrip().startswith('<div id="sr-list">')
    assert "서비스 요청 5건" in fragment  # n = 0, 6, 12, 18, 24
    dated = client.get("/service-requests/?created_from=2026-03-01&created_to=2026-03-01").get_data(as_text=True)
    assert "서비스 요청 2건" in dated  # n = 0 and 28
    searched = client.get("/service-requests/?q=요청 07").get_data(as_text=True)
    assert "서비스 요청 1건" in searched


def test_create_records_an_audit_row(client, auth, db, tenant):
    auth.login("staff")
    response = client.post(
        "/service-requests/new",
        data={
            "title": "그룹웨어 메일 발송 지연",
            "type": "INCIDENT",
            "priority": "P2",
            "status": "OPEN",
            "service": "GROUPWARE",
            "assignee": "김민수",
            "root_cause": "",
            "description": "=cmd|' /C calc'!A0",
            "created_at": "2026-03-02T09:15",
        },
    )
    assert response.status_code == 302
    sr = db.session.scalar(select(ServiceRequest))
    assert re.fullmatch(r"SR-\d{8}-[0-9A-F]{6}", sr.code)
    assert sr.created_at == local("2026-03-02 09:15") and sr.resolved_at is None and sr.root_cause is None
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "service_request"))
    assert audit.action == "create" and audit.entity_id == str(sr.id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "필수"),
        ({"priority": "P9"}, ""),
        ({"created_at": "2099-01-01T00:00"}, "미래 시각"),
        ({"status": "OPEN", "resolved_at": "2026-03-03T10:00"}, "완료 상태인 요청만"),
        (
            {"status": "DONE", "created_at": "2026-03-05T10:00", "resolved_at": "2026-03-04T10:00"},
            "접수 일시보다 앞설 수 없습니다",
        ),
    ],
)
def test_create_refuses_bad_input_with_422(client, auth, db, tenant, changes, message):
    auth.login("pm")
    data = {"title": "요청", "type": "REQUEST", "priority": "P3", "status": "OPEN", "service": "ERP", **changes}
    response = client.post("/service-requests/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ServiceRequest)) is None


def test_done_sets_resolved_at_and_reopening_clears_it(client, auth, db, tenant):
    sr = add_sr(tenant, "2026-03-02 09:00")
    auth.login("pm")
    before = utcnow()
    response = client.post(f"/service-requests/{sr.id}/status", data={"status": "DONE"}, headers=HX)
    assert response.status_code == 200 and f'<tr id="sr-{sr.id}"' in response.get_data(as_text=True)
    done = fetch(db, sr.id)
    assert done.status == "DONE" and before - timedelta(seconds=1) <= done.resolved_at <= utcnow()
    client.post(f"/service-requests/{sr.id}/status", data={"status": "IN_PROGRESS"}, headers=HX)
    assert fetch(db, sr.id).resolved_at is None
    actions = db.session.scalars(select(AuditLog.details).where(AuditLog.entity == "service_request")).all()
    assert [a["status"] for a in actions] == [["OPEN", "DONE"], ["DONE", "IN_PROGRESS"]]


def test_edit_corrects_the_resolution_time(client, auth, db, tenant):
    sr = add_sr(tenant, "2026-03-02 09:00", "2026-03-02 10:00", type="INCIDENT")
    auth.login("pm")
    form = client.get(f"/service-requests/{sr.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-02T10:00"' in form  # shown in the tenant's zone
    response = client.post(
        f"/service-requests/{sr.id}/edit",
        data={
            "title": sr.title,
            "type": "INCIDENT",
            "priority": "P1",
            "status": "DONE",
            "service": "ERP",
            "assignee": "이서연",
            "root_cause": "인증서 만료",
            "description": "",
            "created_at": "2026-03-02T09:00",
            "resolved_at": "2026-03-02T12:30",
        },
    )
    assert response.status_code == 302
    sr = fetch(db, sr.id)
    assert sr.resolved_at == local("2026-03-02 12:30") and sr.root_cause == "인증서 만료" and sr.priority == "P1"


def test_status_change_without_javascript_redirects(client, auth, db, tenant):
    sr = add_sr(tenant, "2026-03-02 09:00")
    auth.login("staff")
    response = client.post(f"/service-requests/{sr.id}/status", data={"status": "CANCELLED"})
    assert response.status_code == 302
    assert fetch(db, sr.id).status == "CANCELLED"


def test_another_tenants_sr_is_not_found(client, auth, db, tenant, other_tenant):
    foreign = add_sr(other_tenant, "2026-03-02 09:00")
    auth.login("admin")
    assert client.get(f"/service-requests/{foreign.id}/edit").status_code == 404
    assert client.post(f"/service-requests/{foreign.id}/status", data={"status": "DONE"}).status_code == 404
    assert fetch(db, foreign.id).status == "OPEN"
