"""Security headers on every response (webapp/security.py), and templates that stay loadable under that CSP."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db as _db
from webapp.models import (
    ApiToken,
    Budget,
    CostEntry,
    Report,
    ReportSchedule,
    ServiceRequest,
    User,
    utcnow,
)

from ..conftest import base_config

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def csp_directives(header: str) -> dict[str, str]:
    """'a x; b y z' → {'a': 'x', 'b': 'y z'}."""
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def assert_security_headers(response, referrer: str = "same-origin", hsts: bool = False) -> None:
    """The whole policy is on this response (message names the URL and status when not)."""
    where = f"{response.request.path} answered {response.status_code}"
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy: {where}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    directives = csp_directives(csp)
    for name, value in REQUIRED_CSP.items():
        assert directives.get(name) == value, f"{name} is {directives.get(name)!r}: {where}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == referrer, where
    permissions = headers.get("Permissions-Policy", "")
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in permissions, f"{feature} not switched off: {where}"
    assert ("Strict-Transport-Security" in headers) == hsts, where


def done_report(tenant_id: int, content: bytes = b"PK\x03\x04 workbook") -> Report:
    """A finished report with stored bytes."""
    report = Report(
        tenant_id=tenant_id,
        template="weekly_ops",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 8),
        format="excel",
        status="DONE",
        content=content,
        file_name="주간_운영_보고서.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        finished_at=utcnow(),
    )
    _db.session.add(report)
    _db.session.commit()
    return report


# --- one response of each kind ------------------------------------------------------------------


def test_full_page(client, auth, tenant):
    auth.login("pm")
    response = client.get("/costs/")
    assert response.status_code == 200 and b"<html" in response.data
    assert_security_headers(response)


def test_htmx_fragment(client, auth, tenant):
    auth.login("pm")
    response = client.get("/costs/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.data
    assert_security_headers(response)


def test_report_download(client, auth, tenant):
    report = done_report(tenant.id)
    auth.login("staff")
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 200 and response.data == b"PK\x03\x04 workbook"
    assert "attachment" in response.headers["Content-Disposition"]
    assert_security_headers(response)
    api = client.get(f"/api/auto-report/{report.id}/download")
    assert api.status_code == 200 and api.data == report.content
    assert_security_headers(api)


def test_static_file(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and b".bar-w-100" in response.data
    assert_security_headers(response)
    script = client.get("/static/js/print.js")
    assert script.status_code == 200 and b"window.print()" in script.data
    assert_security_headers(script)


def test_redirect_to_sign_in(client, tenant):
    response = client.get("/costs/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert_security_headers(response)


def test_not_found_page_and_json(client, auth, tenant):
    auth.login("pm")
    page = client.get("/no-such-page")
    assert page.status_code == 404 and b"<html" in page.data
    assert_security_headers(page)
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and "detail" in api.get_json()
    assert_security_headers(api)


def test_server_error_page_and_json(app, client, auth, tenant):
    def boom():
        """A view with a bug."""
        raise RuntimeError("kaput")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login("pm")
    page = client.get("/boom")
    assert page.status_code == 500 and b"<html" in page.data and b"kaput" not in page.data
    assert_security_headers(page)
    api = client.get("/api/boom")
    assert api.status_code == 500 and "detail" in api.get_json()
    assert_security_headers(api)


def test_json_api(client, auth, tenant):
    auth.login("pm")
    response = client.get("/api/me")
    assert response.status_code == 200 and response.get_json()["username"] == "pm"
    assert_security_headers(response)
    anonymous = client.application.test_client().get("/api/me")
    assert anonymous.status_code == 401
    assert_security_headers(anonymous)


def test_signed_link_pages_send_no_referrer(client, tenant):
    from webapp.schedules import links

    report = done_report(tenant.id)
    response = client.get(f"/r/{links.make_token(report)}")
    assert response.status_code == 200 and response.data == report.content
    assert_security_headers(response, referrer="no-referrer")
    refused = client.get("/r/not-a-valid-token")
    assert refused.status_code == 400 and "올바르지 않은 다운로드 링크입니다" in refused.get_data(as_text=True)
    assert_security_headers(refused, referrer="no-referrer")


def test_hsts_only_when_cookies_are_https_only(monkeypatch, database_uri, tenant):
    from webapp import create_app

    plain = create_app(base_config(database_uri)).test_client().get("/login")
    assert plain.status_code == 200
    assert_security_headers(plain, hsts=False)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    secure_app = create_app(base_config(database_uri))
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    response = secure_app.test_client().get("/login")
    assert_security_headers(response, hsts=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# --- every route ---------------------------------------------------------------------------------


@pytest.fixture
def demo(app):
    """The demo tenant with its data, plus a finished report and an API token of the admin."""
    from webapp.demo import seed_demo

    tenant = seed_demo(echo=lambda *_: None)
    admin = _db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "admin"))
    ApiToken.issue(admin, "walk")
    _db.session.commit()
    report = done_report(tenant.id)
    return tenant, report


def sample_ids(tenant_id: int) -> dict[str, int]:
    """An existing id of the tenant for each id argument the routes take (so the walk gets real pages)."""
    models = {
        "cost_id": CostEntry,
        "budget_id": Budget,
        "report_id": Report,
        "schedule_id": ReportSchedule,
        "sr_id": ServiceRequest,
        "user_id": User,
        "token_id": ApiToken,
    }
    ids = {}
    for name, model in models.items():
        ids[name] = _db.session.scalar(select(model.id).where(model.tenant_id == tenant_id).order_by(model.id)) or 1
    return ids


def route_urls(app, tenant_id: int, report: Report) -> list[str]:
    """One URL for every rule in the URL map, filled with real ids of the tenant."""
    from webapp.schedules import links

    values = {
        **sample_ids(tenant_id),
        "template_code": "weekly_ops",
        "token": links.make_token(report),
        "key": "no-such-message:0",
        "filename": "css/app.css",
    }
    urls = set()
    for rule in app.url_map.iter_rules():
        arguments = {name: values.get(name, 1) for name in rule.arguments if name not in (rule.defaults or {})}
        _domain, path = rule.build(arguments, append_unknown=False)
        urls.add(path)
    return sorted(urls)


@pytest.mark.parametrize("who", ["admin", "admin-htmx", "anonymous"])
def test_every_route_answers_with_the_headers(app, demo, who):
    from webapp.demo import DEMO_USERS

    tenant, report = demo
    client = app.test_client()
    headers = {"HX-Request": "true"} if who.endswith("htmx") else {}
    if who.startswith("admin"):
        password = {name: pw for name, _role, pw in DEMO_USERS}["admin"]
        signed_in = client.post("/login", data={"tenant": "demo", "username": "admin", "password": password})
        assert signed_in.status_code == 302
    urls = route_urls(app, tenant.id, report)
    assert len(urls) >= 50
    statuses = {}
    for url in urls:
        response = client.get(url, headers=headers)
        statuses[url] = response.status_code
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        assert_security_headers(response, referrer="no-referrer" if url.startswith("/r/") else "same-origin")
    ok = [url for url, status in statuses.items() if status == 200]
    if who.startswith("admin"):  # the walk saw real pages (or their fragments), not only refusals
        assert {"/dashboard", "/costs/", "/budgets/", "/reports/", "/schedules/", "/admin/users"} <= set(ok), statuses
        assert 405 in statuses.values()  # POST-only rules answered GET too, with the headers
    else:
        assert statuses["/dashboard"] == 302 and statuses["/login"] == 200
    assert [status for url, status in statuses.items() if url.startswith("/r/")] == [200]


# --- templates stay CSP-clean --------------------------------------------------------------------

# Mail is not shown under the app's CSP (mail clients need inline styles): templates in an email/ folder may keep them.
MAIL_FOLDERS = {"email", "mail"}
FORBIDDEN = {
    "inline event handler (on...=)": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL),
    "hx-on attribute": re.compile(r"\bhx-on", re.IGNORECASE),
    "inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style= attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def page_templates() -> list[Path]:
    """Every template a browser may be served (all but the mail templates)."""
    return [path for path in sorted(TEMPLATES.rglob("*.html")) if not MAIL_FOLDERS & set(path.relative_to(TEMPLATES).parts)]


def strip_comments(source: str) -> str:
    """The template without Jinja comments (they may mention what is forbidden)."""
    return re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)


def test_templates_have_no_inline_script_handlers_or_styles():
    templates = page_templates()
    assert len(templates) > 40 and TEMPLATES / "base.html" in templates
    assert TEMPLATES / "schedules/email/report_link.html" not in templates  # mail keeps its inline styles
    found = []
    for path in templates:
        source = strip_comments(path.read_text(encoding="utf-8"))
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_only_style_block_is_the_pdf_stylesheet():
    source = (TEMPLATES / "reports/print/_base.html").read_text(encoding="utf-8")
    assert re.findall(r"<style>.*?</style>", source) == ["<style>{{ print_stylesheet }}</style>"]
    assert "{% if for_pdf %}<style>" in source
    others = [
        path
        for path in page_templates()
        if "<style" in strip_comments(path.read_text(encoding="utf-8")) and path.name != "_base.html"
    ]
    assert not others


def test_the_template_check_catches_each_kind():
    samples = {
        "inline event handler (on...=)": '<form method="post"\n      onsubmit="return confirm(1)">',
        "hx-on attribute": '<form hx-on::before-swap="x">',
        "inline <script> (no src)": "<script>alert(1)</script>",
        "style= attribute": '<span style="width: 5%">',
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    assert not FORBIDDEN["inline <script> (no src)"].search('<script src="/static/js/print.js" defer></script>')
    assert not FORBIDDEN["inline event handler (on...=)"].search('<option value="1">')
