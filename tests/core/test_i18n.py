"""Korean by default, English selectable and remembered; selectors work outside requests."""

from datetime import UTC

from flask_babel import format_datetime, get_locale, get_timezone, gettext

from webapp.i18n import tenant_context


def test_switch_to_english_is_remembered(client, auth, tenant):
    auth.login("pm")
    assert "대시보드" in client.get("/dashboard").get_data(as_text=True)
    response = client.post("/lang", data={"lang": "en", "next": "/dashboard"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "lang=en" in response.headers["Set-Cookie"] and "Max-Age=31536000" in response.headers["Set-Cookie"]
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Dashboard" in page and "대시보드" not in page and '<html lang="en">' in page
    auth.logout()
    assert "Institution code" in client.get("/login").get_data(as_text=True)  # remembered after sign-out


def test_unknown_language_is_ignored(client, tenant):
    client.post("/lang", data={"lang": "fr"})
    assert "기관 코드" in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/lang", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_selectors_work_outside_a_request(app, factory):
    tenant = factory.tenant("ny", "뉴욕 사무소", timezone="America/New_York")
    assert str(get_locale()) == "ko" and str(get_timezone()) == "Asia/Seoul"
    with tenant_context(tenant, locale="en"):
        assert str(get_locale()) == "en"
        assert str(get_timezone()) == "America/New_York"
        assert gettext("Dashboard") == "Dashboard"
    with tenant_context(tenant):
        assert gettext("Dashboard") == "대시보드"
    assert str(get_timezone()) == "Asia/Seoul"


def test_times_are_shown_in_the_tenant_zone(app, factory):
    from datetime import datetime

    tenant = factory.tenant("seoul")
    with tenant_context(tenant):
        assert format_datetime(datetime(2026, 1, 31, 15, 30, tzinfo=UTC), "yyyy-MM-dd HH:mm") == "2026-02-01 00:30"


def test_korean_catalogue_is_complete():
    from scripts.i18n import missing

    assert missing() == []


def test_language_switch_refuses_backslash_redirects(client):
    response = client.post("/lang", data={"lang": "en", "next": "/\\evil.example/"})
    assert response.headers["Location"] == "/"
