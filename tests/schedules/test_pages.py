"""Schedule pages: create with live preview, validation, pause/resume, delete, run now, roles and tenant isolation."""

from html import unescape

import pytest
from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import AuditLog
from webapp.models.schedules import ReportSchedule, ScheduleRun

VALID = {
    "name": "주간 보고",
    "template": "weekly_ops",
    "format": "pdf",
    "cron": "0 9 * * 1",
    "timezone": "Asia/Seoul",
    "recipients": "cio@example.kr\nops@example.kr",
    "active": "y",
}
HTMX = {"HX-Request": "true"}


def count(db, model=ReportSchedule):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_schedule_through_the_form(client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/schedules/new", data=VALID)
    assert response.status_code == 302
    schedule = db.session.scalar(select(ReportSchedule))
    assert (schedule.template, schedule.format, schedule.cron, schedule.timezone) == (
        "weekly_ops",
        "pdf",
        "0 9 * * 1",
        "Asia/Seoul",
    )
    assert schedule.recipients == ["cio@example.kr", "ops@example.kr"]
    assert schedule.owner.username == "pm" and schedule.next_run_at is not None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "create", AuditLog.entity == "report_schedule"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "매주 월요일 09:00에" in page and "cio@example.kr" in page
    listing = client.get("/schedules/").get_data(as_text=True)
    assert "주간 보고" in listing and "KST" in listing


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("cron", "0 9 * *", "5개 필드"),
        ("cron", "0 25 * * *", "'시' 필드"),
        ("timezone", "Asia/Busan", "Asia/Busan"),
        ("recipients", "", "하나 이상"),
        ("recipients", "cio@example.kr, not-an-address", "not-an-address"),
        ("format", "excel", "pdf"),  # incident_rca is offered as PDF only
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(client, auth, tenant, db, field, value, message):
    auth.login("pm")
    data = dict(VALID, **{field: value})
    if field == "format":
        data["template"] = "incident_rca"
    response = client.post("/schedules/new", data=data)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error"' in page
    assert count(db) == 0
    if value and field != "format":
        assert value in page  # what the user typed is kept


def test_htmx_post_with_errors_returns_the_form_fragment(client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/schedules/new", data=dict(VALID, cron="bad"), headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith("<form") and "cron-error" in page


def test_htmx_post_success_redirects(client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/schedules/new", data=VALID, headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/schedules/")


def test_cron_preview_fragment_describes_and_lists_five_runs_in_the_zone(client, auth, tenant):
    auth.login("pm")
    response = client.get("/schedules/preview", query_string={"cron": "30 8 1 * *", "timezone": "America/New_York"}, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="cron-preview"' in page and "<html" not in page
    assert "매월 1일 08:30에" in page
    assert page.count("<li>") == 5 and ("EST" in page or "EDT" in page)
    bad = unescape(
        client.get("/schedules/preview", query_string={"cron": "0 9 * * 9", "timezone": "Asia/Seoul"}, headers=HTMX).get_data(
            as_text=True
        )
    )
    assert "'요일' 필드" in bad and "<li>" not in bad
    full = client.get("/schedules/preview", query_string={"cron": "0 9 * * 1", "timezone": "Asia/Seoul"})
    assert "<html" in full.get_data(as_text=True)  # works without htmx too


def test_choosing_a_template_limits_the_formats(client, auth, tenant):
    auth.login("pm")
    page = client.get(
        "/schedules/new", query_string={"template": "capacity_plan"}, headers={**HTMX, "HX-Target": "format-field"}
    ).get_data(as_text=True)
    assert 'id="format-field"' in page and 'value="excel"' in page and 'value="pdf"' not in page


def test_choosing_a_template_while_editing_limits_the_formats(client, auth, tenant, make_schedule):
    auth.login("pm")
    schedule = make_schedule(template="weekly_ops", format="pdf")
    page = client.get(
        f"/schedules/{schedule.id}/edit",
        query_string={"template": "incident_rca", "format": "pdf"},
        headers={**HTMX, "HX-Target": "format-field"},
    ).get_data(as_text=True)
    assert 'value="pdf"' in page and 'value="excel"' not in page  # incident_rca is PDF only


def test_edit_pause_resume_and_delete(client, auth, tenant, db, make_schedule):
    auth.login("admin")
    schedule = make_schedule()
    response = client.post(f"/schedules/{schedule.id}/edit", data=dict(VALID, cron="0 7 * * *", recipients="new@example.kr"))
    assert response.status_code == 302
    db.session.refresh(schedule)
    assert schedule.cron == "0 7 * * *" and schedule.recipients == ["new@example.kr"]
    client.post(f"/schedules/{schedule.id}/pause")
    db.session.refresh(schedule)
    assert schedule.active is False and schedule.next_run_at is None
    assert "일시 중지" in client.get("/schedules/").get_data(as_text=True)
    client.post(f"/schedules/{schedule.id}/resume")
    db.session.refresh(schedule)
    assert schedule.active is True and schedule.next_run_at is not None
    confirm = client.get(f"/schedules/{schedule.id}/delete").get_data(as_text=True)
    assert "삭제할까요" in confirm
    assert count(db) == 1  # asking is not deleting
    assert client.post(f"/schedules/{schedule.id}/delete").status_code == 302
    assert count(db) == 0
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "report_schedule")).all()
    assert set(actions) >= {"update", "pause", "resume", "delete"}


def test_pause_from_the_list_returns_to_the_list_and_never_to_another_site(client, auth, tenant, make_schedule):
    auth.login("pm")
    schedule = make_schedule()
    paused = client.post(f"/schedules/{schedule.id}/pause", data={"next": "/schedules/"})
    assert paused.status_code == 302 and paused.headers["Location"] == "/schedules/"
    resumed = client.post(f"/schedules/{schedule.id}/resume", data={"next": "https://phish.example/"})
    assert resumed.headers["Location"] == f"/schedules/{schedule.id}"


def test_run_now_shows_the_run_in_the_history(client, auth, tenant, db, make_schedule):
    auth.login("pm")
    schedule = make_schedule()
    response = client.post(f"/schedules/{schedule.id}/run")
    assert response.status_code == 302
    wait_for_embedded_jobs(30)
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert "지금 실행" in page and 'data-status="DONE"' in page
    assert page.count('data-status="SENT"') == 2
    fragment = client.get(f"/schedules/{schedule.id}", headers={**HTMX, "HX-Target": "run-history"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="run-history"') and "hx-trigger" not in fragment.split(">")[0]


def test_history_polls_while_a_run_is_in_progress(client, auth, tenant, db, make_schedule):
    auth.login("pm")
    schedule = make_schedule()
    db.session.add(ScheduleRun(tenant_id=tenant.id, schedule_id=schedule.id, scheduled_for=schedule.next_run_at, status="QUEUED"))
    db.session.commit()
    page = client.get(f"/schedules/{schedule.id}").get_data(as_text=True)
    assert 'hx-trigger="load delay:2s"' in page and "진행 중" in page


ID_ROUTES = [
    ("get", "/schedules/{id}"),
    ("get", "/schedules/{id}/edit"),
    ("post", "/schedules/{id}/edit"),
    ("post", "/schedules/{id}/pause"),
    ("post", "/schedules/{id}/resume"),
    ("get", "/schedules/{id}/delete"),
    ("post", "/schedules/{id}/delete"),
    ("post", "/schedules/{id}/run"),
]


@pytest.mark.parametrize("method, path", ID_ROUTES)
def test_another_tenants_schedule_is_not_found(client, auth, tenant, other_tenant, db, make_schedule, method, path):
    foreign = make_schedule(tenant_id=other_tenant.id)
    auth.login("admin")
    response = getattr(client, method)(path.format(id=foreign.id), data=VALID)
    assert response.status_code == 404
    db.session.refresh(foreign)
    assert foreign.active and foreign.cron == "0 9 * * 1"
    assert count(db, ScheduleRun) == 0


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/schedules/"),
        ("get", "/schedules/new"),
        ("post", "/schedules/new"),
        ("get", "/schedules/preview"),
        *ID_ROUTES,
        ("get", "/admin/outbox"),
    ],
)
def test_staff_cannot_manage_schedules(client, auth, tenant, db, make_schedule, method, path):
    schedule = make_schedule()
    auth.login("staff")
    response = getattr(client, method)(path.format(id=schedule.id), data=VALID)
    assert response.status_code == 403
    assert count(db) == 1 and count(db, ScheduleRun) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, tenant):
    response = client.get("/schedules/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_schedules_in_the_main_menu_for_pm_not_staff(client, auth, tenant):
    auth.login("pm")
    assert 'href="/schedules/"' in client.get("/schedules/").get_data(as_text=True)


def test_schedule_list_is_paginated(client, auth, db, tenant):
    from webapp.models import ReportSchedule, utcnow

    for number in range(30):
        db.session.add(
            ReportSchedule(
                tenant_id=tenant.id,
                name=f"일정 {number:02d}",
                template="weekly_ops",
                cron="0 9 * * 1",
                timezone="Asia/Seoul",
                format="excel",
                recipients=["a@acme.kr"],
                active=True,
                next_run_at=utcnow(),
                owner_id=None,
            )
        )
    db.session.commit()
    auth.login("pm")
    first = client.get("/schedules/").get_data(as_text=True)
    second = client.get("/schedules/?page=2").get_data(as_text=True)
    assert "2쪽 중 1쪽" in first and first.count("일정 ") == 25
    assert second.count("일정 ") == 5
