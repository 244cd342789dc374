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


def test_the_time_zone_is_picked_from_a_list_searchable_by_city(client, auth, tenant):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'list="zones"' in page
    options = re.findall(r'<option value="([^"]+)" label="([^"]+)">', page)
    zones = dict(options)
    assert len(zones) > 300
    assert zones["Asia/Seoul"] == "서울 — Asia/Seoul (UTC+09:00)"
    assert zones["America/New_York"].startswith("뉴욕 — America/New_York (UTC−0")
    client.set_cookie("lang", "en")
    assert 'label="Seoul — Asia/Seoul (UTC+09:00)"' in client.get("/admin/settings").get_data(as_text=True)


def test_the_currency_is_editable_and_money_follows_it(client, auth, db, tenant):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert '<option selected value="KRW">KRW — 대한민국 원</option>' in page
    assert client.post("/admin/settings", data={**VALID, "locale": "ko", "currency": "USD"}).status_code == 302
    db.session.refresh(tenant)
    assert tenant.currency == "USD"
    row = db.session.query(AuditLog).filter_by(entity="tenant", action="update").one()
    assert row.details["currency"] == "USD"
    auth.logout()
    auth.login("pm")
    budgets = client.get("/budgets/").get_data(as_text=True)
    assert "US$" in budgets and "₩" not in budgets


def test_an_unknown_currency_is_refused_and_nothing_saved(client, auth, db, tenant):
    auth.login("admin")
    response = client.post("/admin/settings", data={**VALID, "currency": "XYZ"})
    assert response.status_code == 422
    assert "통화: KRW — 대한민국 원, USD — 미국 달러, EUR" in response.get_data(as_text=True)  # the choices as shown
    db.session.refresh(tenant)
    assert tenant.currency == "KRW" and tenant.name != "새 이름"
