"""Institution settings (ADMIN only): name, zone, language, SLA targets, retention."""

import re

import pytest

from webapp.models import AuditLog

VALID = {
    "name": "새 이름",
    "timezone": "America/New_York",
    "locale": "en",
    "sla_p1": "2",
    "sla_p2": "6",
    "sla_p3": "20",
    "sla_p4": "60",
    "report_retention_days": "90",
}


def test_admin_saves_settings(client, auth, db, tenant):
    auth.login("admin")
    assert "SLA" in client.get("/admin/settings").get_data(as_text=True)
    assert client.post("/admin/settings", data=VALID).status_code == 302
    db.session.refresh(tenant)
    assert tenant.name == "새 이름" and tenant.timezone == "America/New_York" and tenant.locale == "en"
    assert tenant.setting("sla_hours") == {"P1": 2, "P2": 6, "P3": 20, "P4": 60}
    assert tenant.setting("report_retention_days") == 90
    assert db.session.query(AuditLog).filter_by(entity="tenant", action="update").count() == 1


def test_defaults_are_shown_before_any_change(client, auth, tenant):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    for name, value in (("timezone", "Asia/Seoul"), ("report_retention_days", "365"), ("sla_p1", "4"), ("sla_p4", "72")):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'value="{value}"' in tag


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("timezone", "Mars/Base", "시간대:"),
        ("sla_p1", "0", "SLA P1"),
        ("report_retention_days", "abc", "보관"),
        ("name", "", "기관명"),
    ],
)
def test_bad_settings_are_refused(client, auth, db, tenant, field, value, message):
    auth.login("admin")
    response = client.post("/admin/settings", data={**VALID, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(tenant)
    assert tenant.timezone == "Asia/Seoul" and tenant.settings == {}


@pytest.mark.parametrize("username", ["pm", "staff"])
def test_only_admin_changes_settings(client, auth, tenant, username):
    auth.login(username)
    assert client.post("/admin/settings", data=VALID).status_code == 403


@pytest.mark.parametrize(
    "change, field",
    [
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"name": "  "}, "name"),
        ({"report_retention_days": 0}, "report_retention_days"),
        ({"sla_hours": {"P1": 4, "P2": 0, "P3": 72, "P4": 168}}, "sla_p2"),
    ],
)
def test_the_settings_service_checks_its_input_itself(db, tenant, change, field):
    from webapp.admin.service import update_tenant_settings
    from webapp.validation import FieldErrors

    values = {
        "name": "기관",
        "timezone": "Asia/Seoul",
        "locale": "ko",
        "sla_hours": {"P1": 4, "P2": 8, "P3": 72, "P4": 168},
        "report_retention_days": 90,
        **change,
    }
    with pytest.raises(FieldErrors) as refused:
        update_tenant_settings(tenant, values, actor=None)
    assert set(refused.value.errors) == {field}
    db.session.refresh(tenant)
    assert tenant.timezone == "Asia/Seoul"
