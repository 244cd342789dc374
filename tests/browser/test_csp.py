"""Every page works under the Content-Security-Policy: no violation, no script error, htmx controls still work.

A violation is caught twice: the `securitypolicyviolation` DOM event (reported to the test through an
exposed function installed before any page script runs) and Chromium's console message about it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DEMO_PASSWORDS

PDF_TEMPLATES = ("weekly_ops", "monthly_sla", "incident_rca", "monthly_cost")
# GET endpoints that answer a file rather than a page (their headers are checked in tests/core).
FILE_ENDPOINTS = {
    "costs.export_csv",
    "costs.export_xlsx",
    "reports.download",
    "audit_log.export",
    "imports.template",
    "imports.errors",
    "static",
}
CSP_WORDS = re.compile(
    r"Content[- ]Security[- ]Policy|Refused to (execute|apply|load|evaluate)|Permissions-Policy", re.IGNORECASE
)
REPORT_VIOLATION = """
document.addEventListener('securitypolicyviolation', (e) => {
  const element = e.target && e.target.nodeType === 1 ? e.target.outerHTML.slice(0, 160) : '';
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample} ${element}`);
}, true);
"""


class Watch:
    """Collects CSP violations, CSP console messages and uncaught script errors of one browser context."""

    def __init__(self, context):
        self.problems: list[str] = []
        self.url = ""
        context.expose_function("__cspViolation", lambda text: self.problems.append(f"{self.url}: violation {text}"))
        context.add_init_script(REPORT_VIOLATION)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.url}: page error {error}"))

    def _console(self, message) -> None:
        """A console line about the CSP, or any error that is not just an HTTP error status of a page."""
        text = message.text
        if CSP_WORDS.search(text) or (message.type == "error" and not text.startswith("Failed to load resource")):
            self.problems.append(f"{self.url}: console {message.type}: {text}")

    def visit(self, url: str) -> int:
        """Open a URL, wait for htmx to settle, and give back the HTTP status."""
        self.url = url
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return response.status if response else 0

    def assert_clean(self) -> None:
        """No violation and no error so far."""
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture(scope="module")
def site(live_server):
    """Ids of real demo rows to visit, a finished report, an e-mail in the outbox and signed-link tokens."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.jobs import wait_for_embedded_jobs
    from webapp.models import (
        CostAdvice,
        CostEntry,
        Report,
        ReportSchedule,
        ServiceRequest,
        Tenant,
        User,
        utcnow,
    )
    from webapp.notices.service import notify
    from webapp.schedules import links
    from webapp.schedules.runs import run_now

    with live_server.app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))

        def first(model):
            """The tenant's oldest row id of a model."""
            return db.session.scalar(select(model.id).where(model.tenant_id == tenant.id).order_by(model.id))

        schedule = db.session.get(ReportSchedule, first(ReportSchedule))
        pm = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))
        run_now(schedule, pm)  # builds a report and e-mails its link to the outbox
        wait_for_embedded_jobs(timeout=60)
        db.session.expire_all()
        report = db.session.scalar(select(Report).where(Report.tenant_id == tenant.id, Report.status == "DONE"))
        assert report is not None
        advice = CostAdvice(
            tenant_id=tenant.id,
            year=2026,
            month=6,
            fingerprint="0" * 64,
            status="DONE",
            source="llm",
            model="ollama/llama3",
            text="1. <script>alert(1)</script> 예시",
        )
        db.session.add(advice)
        db.session.commit()
        from io import BytesIO

        from webapp.imports.pipeline import store_upload

        upload = "연도,월,분류,서비스,금액\n2026,1,SERVER,ERP,1000\n".encode()
        batch = store_upload(tenant, pm.id, "costs", "costs.csv", BytesIO(upload))
        for user in db.session.scalars(select(User).where(User.tenant_id == tenant.id)):  # a notice banner on every page
            notify(tenant.id, user.id, "RUN_FAILED", "알림 배너 점검", link=f"/schedules/{schedule.id}", key="csp-walk")
        ids = {
            "advice": advice.id,
            "batch": batch.id,
            "cost": first(CostEntry),
            "schedule": schedule.id,
            "sr": first(ServiceRequest),
            "user": pm.id,
            "report": report.id,
            "expired": links.make_token(report, issued_at=utcnow() - timedelta(days=30)),
        }
        db.session.remove()
    return ids


def snap(page, name: str) -> None:
    """A full-page screenshot that leaves the DOM alone.

    Playwright hides the text caret by writing a style attribute on inputs and leaves `style=""`
    behind; htmx then copies that attribute while settling a swap, which the CSP rightly refuses.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def pages(site: dict) -> dict[str, list[str]]:
    """Endpoint → the URLs that show it (every page of the app)."""
    return {
        "main.index": ["/"],
        "main.dashboard": ["/dashboard"],
        "costs.index": ["/costs/"],
        "costs.row": [f"/costs/{site['cost']}"],
        "costs.edit": [f"/costs/{site['cost']}/edit"],
        "costs.delete": [f"/costs/{site['cost']}/delete"],
        "costs.totals": ["/costs/totals"],
        "main.advice_status": [f"/dashboard/advice/{site['advice']}"],  # without htmx: back to the dashboard
        "budgets.index": ["/budgets/"],
        "budgets.year_view": ["/budgets/year", "/budgets/year?year=2025&service=ERP"],
        "reports.index": ["/reports/"],
        "reports.detail": [f"/reports/{site['report']}"],
        "reports.delete": [f"/reports/{site['report']}/delete"],  # the confirmation page (ADMIN)
        "reports.printable": [f"/reports/print/{code}" for code in PDF_TEMPLATES],
        "schedules.index": ["/schedules/"],
        "schedules.create": ["/schedules/new"],
        "schedules.edit": [f"/schedules/{site['schedule']}/edit"],
        "schedules.detail": [f"/schedules/{site['schedule']}"],
        "schedules.delete": [f"/schedules/{site['schedule']}/delete"],
        "schedules.preview": ["/schedules/preview?cron=0+9+*+*+1"],
        "service_requests.index": ["/service-requests/"],
        "service_requests.create": ["/service-requests/new"],
        "service_requests.edit": [f"/service-requests/{site['sr']}/edit"],
        "admin.users": ["/admin/users"],
        "admin.create_user": ["/admin/users/new"],
        "admin.edit_user": [f"/admin/users/{site['user']}/edit"],
        "admin.settings": ["/admin/settings"],
        "schedules.outbox_index": ["/admin/outbox"],
        "schedules.outbox_message": [],  # reached by clicking the first message (its key is in the list)
        "account.index": ["/account/"],
        "account.tokens": ["/account/tokens"],
        "notices.index": ["/notices/"],
        "imports.index": ["/imports/"],
        "imports.detail": [f"/imports/{site['batch']}"],
        "audit_log.index": ["/admin/audit/", "/admin/audit/?area=costs"],
        "auth.login": ["/login"],
        "schedules.download_link": [f"/r/{site['expired']}", "/r/not-a-valid-link"],
        "error": ["/no-such-page"],
    }


def test_the_walk_covers_every_page_of_the_app(live_server, site):
    listed = set(pages(site))
    page_endpoints = {
        rule.endpoint
        for rule in live_server.app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint not in FILE_ENDPOINTS
    }
    assert page_endpoints - listed == set(), "add the new page to pages() in this test"


@pytest.mark.parametrize("username", ["admin", "pm", "staff"])
def test_no_page_breaks_the_content_security_policy(live_server, new_context, site, username):
    watch = Watch(new_context())
    page = watch.page
    watch.visit(live_server.url + "/login")
    page.fill("#tenant", "demo")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    statuses = {}
    for urls in pages(site).values():
        for url in urls:
            statuses[url] = watch.visit(live_server.url + url)
    if username == "admin":
        watch.visit(live_server.url + "/admin/outbox")
        page.locator("[data-testid=outbox-message]").first.click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("[data-testid=mail-body]")).to_contain_text("/r/")
    watch.assert_clean()
    assert (
        statuses["/no-such-page"] == 404 and statuses["/r/not-a-valid-link"] == 400 and statuses[f"/r/{site['expired']}"] == 410
    )
    allowed = {url for url, status in statuses.items() if status == 200}
    if username == "staff":
        assert {"/reports/", f"/reports/{site['report']}", "/reports/print/weekly_ops"} <= allowed
        assert statuses["/dashboard"] == 403 and statuses["/costs/"] == 403
    else:
        assert {"/dashboard", "/costs/", "/budgets/", "/schedules/new", f"/reports/print/{PDF_TEMPLATES[-1]}"} <= allowed
        assert (statuses["/admin/users"] == 200) == (username == "admin")
    watch.visit(live_server.url + "/dashboard" if username != "staff" else live_server.url + "/reports/")
    snap(page, f"csp-{username}")


def test_the_watch_sees_a_violation(live_server, new_context):
    """The CSP is enforced in the browser and the watch reports it (so a clean run means something)."""
    watch = Watch(new_context())
    watch.visit(live_server.url + "/login")
    watch.page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.__ranInline = true';
        document.body.append(script);
        document.body.setAttribute('style', 'background: red');
    }""")
    watch.page.wait_for_timeout(300)
    assert watch.page.evaluate("window.__ranInline") is None
    assert any("script-src" in problem for problem in watch.problems), watch.problems
    assert any("style-src" in problem for problem in watch.problems), watch.problems


def sign_in(watch: Watch, live_server, username: str) -> None:
    """Sign in through the form in the watched page."""
    watch.visit(live_server.url + "/login")
    watch.page.fill("#tenant", "demo")
    watch.page.fill("#username", username)
    watch.page.fill("#password", DEMO_PASSWORDS[username])
    watch.page.click("button[type=submit]")
    watch.page.wait_for_load_state("networkidle")


def test_month_picker_and_threshold_change_the_dashboard(live_server, new_context):
    watch = Watch(new_context())
    page = watch.page
    sign_in(watch, live_server, "pm")
    watch.visit(live_server.url + "/dashboard?year=2026&month=6")
    with page.expect_navigation():
        page.select_option("#pick-month", "5")
    page.wait_for_load_state("networkidle")
    assert "month=5" in page.url and "year=2026" in page.url
    expect(page.locator("h1 .period-title")).to_contain_text("2026-05")
    with page.expect_navigation():
        page.select_option("#pick-year", "2025")
    assert "year=2025" in page.url and "month=5" in page.url
    with page.expect_navigation():
        page.select_option("#threshold", "50")
    assert "threshold=50" in page.url
    expect(page.locator("#threshold")).to_have_value("50")
    expect(page.locator("[data-testid=budget-gauge]")).to_be_visible()
    snap(page, "csp-dashboard-threshold")

    watch.visit(live_server.url + "/budgets/?year=2026&month=6")
    with page.expect_navigation():
        page.select_option("#pick-month", "4")
    assert "month=4" in page.url
    expect(page.locator("#pick-month")).to_have_value("4")
    expect(page.locator(".usage-bar span").first).to_have_class(re.compile(r"\bbar-w-\d+\b"))
    watch.assert_clean()


def test_budget_removal_asks_first(live_server, new_context):
    watch = Watch(new_context())
    page = watch.page
    sign_in(watch, live_server, "admin")
    watch.visit(live_server.url + "/budgets/")
    remove = page.locator("#budget-table form button.btn-danger")
    before = remove.count()
    assert before > 0
    snap(page, "csp-budgets")
    questions = []

    def answer(accept: bool):
        """Answer the next confirm() and note its question."""

        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", handle)

    answer(False)
    remove.first.click()
    page.wait_for_timeout(300)
    assert questions == ["이 예산을 삭제할까요?"]
    expect(remove).to_have_count(before)  # declined: nothing removed
    answer(True)
    remove.first.click()
    expect(page.locator(".flash")).to_contain_text("예산을 삭제했습니다")
    expect(remove).to_have_count(before - 1)
    assert "<title>" not in page.locator("body").inner_html()  # the whole page came back, not a fragment in the body
    watch.assert_clean()


def test_token_revocation_asks_first_with_and_without_javascript(live_server, new_context):
    watch = Watch(new_context())
    page = watch.page
    sign_in(watch, live_server, "pm")
    watch.visit(live_server.url + "/account/tokens")
    page.fill("#name", "csp check")
    page.click("button.btn-primary")
    row = page.locator("tr", has_text="csp check")
    expect(row).to_contain_text("사용 중")
    page.once("dialog", lambda dialog: dialog.accept() if dialog.message == "이 토큰을 폐기할까요?" else dialog.dismiss())
    row.locator("button", has_text="폐기").click()
    expect(page.locator(".flash")).to_contain_text("토큰을 폐기했습니다.")
    expect(page.locator("tr", has_text="csp check")).to_contain_text("폐기됨")
    watch.assert_clean()

    plain = new_context(java_script_enabled=False).new_page()
    plain.goto(live_server.url + "/login")
    plain.fill("#tenant", "demo")
    plain.fill("#username", "pm")
    plain.fill("#password", DEMO_PASSWORDS["pm"])
    plain.click("button[type=submit]")
    plain.goto(live_server.url + "/account/tokens")
    plain.fill("#name", "no script")
    plain.click("button.btn-primary")
    row = plain.locator("tr", has_text="no script")
    row.locator("button", has_text="폐기").click()  # the box is not ticked: the browser does not send the form
    expect(row).to_contain_text("사용 중")
    row.locator("input[name=confirm]").check()
    snap(plain, "csp-tokens-without-javascript")
    row.locator("button", has_text="폐기").click()
    expect(plain.locator(".flash")).to_contain_text("토큰을 폐기했습니다.")
    expect(plain.locator("tr", has_text="no script")).to_contain_text("폐기됨")


def test_print_button_and_report_form(live_server, new_context):
    context = new_context()
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    watch = Watch(context)
    page = watch.page
    sign_in(watch, live_server, "pm")
    watch.visit(live_server.url + "/reports/print/monthly_cost")
    expect(page.locator(".sheet h1")).to_have_text("월간 IT 비용 보고서")
    assert page.evaluate("getComputedStyle(document.querySelector('.toolbar button')).backgroundColor") == "rgb(0, 51, 102)"
    snap(page, "csp-print-monthly-cost")
    page.click("[data-print]")
    page.wait_for_function("window.__printed === 1")

    watch.visit(live_server.url + "/reports/")
    page.select_option("#template", "incident_rca")  # htmx swaps the form in place
    expect(page.locator("#format option")).to_have_count(1)
    watch.assert_clean()
