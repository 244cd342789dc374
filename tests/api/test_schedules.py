"""POST/GET /api/auto-report/schedule (SPEC §7): create, list with next_run_at, validation, roles, isolation."""

import pytest
from sqlalchemy import func, select

from webapp.models import ApiToken, Tenant, User
from webapp.models.schedules import ReportSchedule, ScheduleRun


def bearer(db, username="pm", tenant_slug="acme"):
    user = db.session.scalar(select(User).join(Tenant).where(User.username == username, Tenant.slug == tenant_slug))
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def stored(db):
    return db.session.scalar(select(func.count()).select_from(ReportSchedule))


def test_create_with_one_email_as_before(client, db, tenant):
    response = client.post(
        "/api/auto-report/schedule",
        headers=bearer(db),
        json={"template": "weekly_ops", "cron": "0 9 * * 1", "email": "cio@example.kr"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["ok"] is True and body["recipients"] == ["cio@example.kr"] and body["email"] == "cio@example.kr"
    assert body["format"] == "excel" and body["timezone"] == "Asia/Seoul"  # defaults: excel, the tenant's zone
    assert body["next_run_at"].endswith("T00:00:00+00:00")  # Monday 09:00 KST
    assert body["description"] == "매주 월요일 09:00에"


def test_create_with_recipients_zone_and_format(client, db, tenant):
    response = client.post(
        "/api/auto-report/schedule",
        headers=bearer(db),
        json={
            "template": "monthly_cost",
            "cron": "0 8 1 * *",
            "recipients": ["a@example.kr", "b@example.kr"],
            "format": "pdf",
            "timezone": "America/New_York",
            "name": "Monthly cost",
        },
    )
    assert response.status_code == 201
    listed = client.get("/api/auto-report/schedule", headers=bearer(db)).get_json()
    assert [(s["template"], s["format"], s["timezone"], s["recipients"]) for s in listed] == [
        ("monthly_cost", "pdf", "America/New_York", ["a@example.kr", "b@example.kr"])
    ]
    assert listed[0]["next_run_at"] and listed[0]["active"] is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({"template": "weekly_ops", "cron": "0 9 * *", "email": "a@example.kr"}, "cron"),
        ({"template": "weekly_ops", "cron": "0 9 * * 1", "email": "a@example.kr", "timezone": "Mars/Olympus"}, "timezone"),
        ({"template": "weekly_ops", "cron": "0 9 * * 1"}, "recipients"),
        ({"template": "weekly_ops", "cron": "0 9 * * 1", "recipients": []}, "recipients"),
        ({"template": "weekly_ops", "cron": "0 9 * * 1", "email": "not-an-address"}, "recipients"),
        ({"template": "capacity_plan", "cron": "0 9 * * 1", "email": "a@example.kr", "format": "pdf"}, "format"),
        ({"template": "yearly_magic", "cron": "0 9 * * 1", "email": "a@example.kr"}, "template"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_stored(client, db, tenant, body, field):
    response = client.post("/api/auto-report/schedule", headers=bearer(db), json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["field"] == field and field in payload["errors"] and payload["detail"]
    assert stored(db) == 0


def test_format_error_names_the_allowed_formats(client, db, tenant):
    response = client.post(
        "/api/auto-report/schedule",
        headers=bearer(db),
        json={"template": "incident_rca", "cron": "0 9 * * 1", "email": "a@example.kr", "format": "excel"},
    )
    assert "pdf" in response.get_json()["detail"]


def test_not_json_is_400(client, db, tenant):
    response = client.post("/api/auto-report/schedule", headers=bearer(db), data="x", content_type="text/plain")
    assert response.status_code == 400 and response.get_json()["detail"]


def test_staff_cannot_create_or_list_schedules(client, db, tenant):
    headers = bearer(db, "staff")
    response = client.post(
        "/api/auto-report/schedule",
        headers=headers,
        json={"template": "weekly_ops", "cron": "0 9 * * 1", "email": "a@example.kr"},
    )
    assert response.status_code == 403 and response.get_json()["detail"]
    assert client.get("/api/auto-report/schedule", headers=headers).status_code == 403
    assert stored(db) == 0


def test_list_shows_only_the_callers_tenant(client, db, tenant, other_tenant):
    client.post(
        "/api/auto-report/schedule",
        headers=bearer(db, "admin", "other"),
        json={"template": "weekly_ops", "cron": "0 9 * * 1", "email": "secret@other.kr"},
    )
    assert client.get("/api/auto-report/schedule", headers=bearer(db)).get_json() == []


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/auto-report/schedule/{id}"),
        ("delete", "/api/auto-report/schedule/{id}"),
        ("post", "/api/auto-report/schedule/{id}/run"),
    ],
)
def test_another_tenants_schedule_is_404(client, db, tenant, other_tenant, method, path):
    created = client.post(
        "/api/auto-report/schedule",
        headers=bearer(db, "admin", "other"),
        json={"template": "weekly_ops", "cron": "0 9 * * 1", "email": "secret@other.kr"},
    ).get_json()
    response = getattr(client, method)(path.format(id=created["id"]), headers=bearer(db))
    assert response.status_code == 404 and response.get_json()["detail"]
    assert stored(db) == 1
    assert db.session.scalar(select(func.count()).select_from(ScheduleRun)) == 0


def test_get_run_and_delete_own_schedule(client, db, tenant):
    from webapp.jobs import wait_for_embedded_jobs

    headers = bearer(db)
    created = client.post(
        "/api/auto-report/schedule",
        headers=headers,
        json={"template": "weekly_ops", "cron": "0 9 * * 1", "email": "a@example.kr"},
    ).get_json()
    ran = client.post(f"/api/auto-report/schedule/{created['id']}/run", headers=headers)
    assert ran.status_code == 202 and ran.get_json()["run"]["trigger"] == "MANUAL"
    wait_for_embedded_jobs(30)
    one = client.get(f"/api/auto-report/schedule/{created['id']}", headers=headers).get_json()
    assert one["runs"][0]["status"] == "DONE" and one["runs"][0]["report_id"]
    assert client.delete(f"/api/auto-report/schedule/{created['id']}", headers=headers).get_json() == {"ok": True}
    assert stored(db) == 0


def test_the_list_and_the_runs_are_paged_the_api_way(client, db, tenant):
    from webapp.models import utcnow

    headers = bearer(db)
    body = {"template": "weekly_ops", "cron": "0 9 * * 1", "email": "cio@example.kr"}
    first, _second, third = (client.post("/api/auto-report/schedule", headers=headers, json=body).get_json() for _ in range(3))
    for minutes in range(3):
        db.session.add(
            ScheduleRun(
                tenant_id=tenant.id, schedule_id=first["id"], scheduled_for=utcnow().replace(minute=minutes), status="DONE"
            )
        )
    db.session.commit()
    listed = client.get("/api/auto-report/schedule?page=2&per_page=2", headers=headers)
    assert [s["id"] for s in listed.get_json()] == [third["id"]]  # oldest first, as before
    assert (listed.headers["X-Total-Count"], listed.headers["X-Page"], listed.headers["X-Total-Pages"]) == ("3", "2", "2")
    one = client.get(f"/api/auto-report/schedule/{first['id']}?per_page=2", headers=headers).get_json()
    assert len(one["runs"]) == 2 and one["runs_page"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    refused = client.get("/api/auto-report/schedule?per_page=0", headers=headers)
    assert refused.status_code == 400 and "per_page" in refused.get_json()["errors"]


def test_answers_link_with_url_for_and_a_bad_body_has_the_one_error_shape(client, db, tenant):
    headers = bearer(db)
    body = {"template": "weekly_ops", "cron": "0 9 * * 1", "email": "cio@example.kr"}
    created = client.post("/api/auto-report/schedule", headers=headers, json=body).get_json()
    assert created["url"] == f"/api/auto-report/schedule/{created['id']}"
    assert client.get(created["url"], headers=headers).get_json()["id"] == created["id"]
    refused = client.post("/api/auto-report/schedule", headers=headers, json=[body])
    assert (
        refused.status_code == 400 and set(refused.get_json()) == {"detail", "errors"} and "body" in refused.get_json()["errors"]
    )
