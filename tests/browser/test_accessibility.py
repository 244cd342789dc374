"""Accessibility: axe-core finds no serious or critical violation on any page, in Korean and English, for each role;
the skip link, focus on the first field in error, labelled controls and announced report status work as a user meets them.

axe-core is vendored under tests/browser/vendor/axe-core (tests only, never served by the app). It is evaluated
through the DevTools protocol (page.evaluate), which the app's CSP does not govern, so the page keeps its real
policy while it is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORDS
from .test_csp import pages, site  # noqa: F401  (site is a fixture: ids of real demo rows)

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
FRAGMENT_ONLY = {"/costs/totals"}  # an htmx fragment (the filtered total), not a page of its own
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200))}));
}"""


def axe_problems(page) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now, one line per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(RUN_AXE)
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: {node}"
        for v in found
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


def signed_in_page(new_context, live_server, username: str, lang: str, **options):
    """A page of a fresh context that speaks `lang` (the lang cookie) and is signed in as `username`."""
    context = new_context(**options)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("#tenant", "demo")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_axe_sees_a_violation(live_server, new_context):
    """The check is live: an unlabelled field and low-contrast text are reported as serious."""
    page = new_context().new_page()
    page.goto(live_server.url + "/login")
    page.evaluate("""() => {
        const input = document.createElement('input');
        document.querySelector('main').append(input);
        const faint = document.createElement('p');
        faint.textContent = 'faint text';
        faint.style.color = '#dddddd';  // CSSOM, which the CSP allows (a style= attribute it would refuse)
        document.querySelector('.login-card').append(faint);
    }""")
    problems = "\n".join(axe_problems(page))
    assert "label (critical)" in problems and "color-contrast (serious)" in problems


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("username", ["admin", "pm", "staff"])
def test_no_serious_or_critical_violation_on_any_page(live_server, new_context, site, username, lang):  # noqa: F811
    page = signed_in_page(new_context, live_server, username, lang)
    problems, checked = [], 0
    seen_error_page = False
    for urls in pages(site).values():
        for url in urls:
            if url == "/login" or url in FRAGMENT_ONLY:
                continue  # the sign-in page is checked below, signed out
            response = page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            if response.status >= 400:
                if seen_error_page:
                    continue  # one error page of each walk is enough: they share one template
                seen_error_page = True
            problems += axe_problems(page)
            checked += 1
    if username == "admin":
        page.goto(live_server.url + "/admin/outbox")
        page.locator("[data-testid=outbox-message]").first.click()
        page.wait_for_load_state("networkidle")
        problems += axe_problems(page)
    signed_out = new_context().new_page()
    signed_out.context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
    signed_out.goto(live_server.url + "/login")
    problems += axe_problems(signed_out)
    assert checked >= {"admin": 28, "pm": 20, "staff": 8}[username]  # the walk really visited the role's pages
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_phone_layout_with_the_menu_open_has_no_serious_violation(live_server, new_context, site, lang):  # noqa: F811
    page = signed_in_page(new_context, live_server, "admin", lang, viewport={"width": 390, "height": 844})
    problems = []
    for url in (
        "/dashboard",
        "/costs/",
        "/budgets/",
        "/budgets/year",
        "/reports/",
        "/schedules/",
        "/service-requests/",
        "/admin/users",
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        page.click("[data-testid=menu-button]")
        problems += axe_problems(page)
    assert problems == [], "\n".join(problems)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, new_context):
    page = signed_in_page(new_context, live_server, "pm", "ko")
    page.goto(live_server.url + "/costs/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("본문 바로가기")
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 10  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the menu
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_form_puts_the_cursor_on_its_first_field_in_error(live_server, new_context, javascript):
    page = signed_in_page(new_context, live_server, "pm", "ko", java_script_enabled=javascript)
    page.goto(live_server.url + "/costs/")
    page.click("[data-testid=add-cost] > summary")  # the add form is folded above a non-empty list
    page.fill("#cost-form [name=year]", "2026")
    page.select_option("#cost-form [name=category]", "LICENSE")  # the service stays unchosen, the amount is bad
    page.fill("#cost-form [name=amount]", "-5")
    page.click("#cost-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#cost-form .has-error").first).to_be_visible()
    focused = page.evaluate("[document.activeElement.name, document.activeElement.getAttribute('aria-invalid')]")
    assert focused == ["service", "true"]  # the first field in error, in form order
    assert page.locator("#cost-form [autofocus]").count() == 1


def test_every_control_has_a_name(live_server, new_context, site):  # noqa: F811
    """Inputs, selects, textareas and buttons, month pickers included, have an accessible name on the main pages."""
    page = signed_in_page(new_context, live_server, "admin", "en")
    unnamed = []
    for url in (
        "/dashboard",
        "/costs/",
        "/budgets/",
        "/reports/",
        "/schedules/new",
        "/service-requests/",
        f"/service-requests/{site['sr']}/edit",
        "/admin/users/new",
        "/admin/settings",
        "/account/",
        "/account/tokens",
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        controls = page.locator(
            "main input:not([type=hidden]), main select, main textarea, main button, header button, header summary"
        )
        for i in range(controls.count()):
            control = controls.nth(i)
            if not control.is_visible():
                continue
            name = control.evaluate("""el => {
                const labelled = el.labels && el.labels.length ? [...el.labels].map(l => l.textContent).join(' ') : '';
                return (el.getAttribute('aria-label') || labelled || el.textContent || el.value || '').trim();
            }""")
            if not name:
                unnamed.append(f"{url}: {control.evaluate('el => el.outerHTML.slice(0, 120)')}")
    assert unnamed == []
    page.goto(live_server.url + "/dashboard")
    for picker in ("#pick-year", "#pick-month"):
        expect(page.locator(picker)).to_have_accessible_name("Year" if picker == "#pick-year" else "Month")
    expect(page.locator(".monthbar a[rel=prev]")).to_have_accessible_name("Previous month")


def test_a_finished_report_is_announced(live_server, new_context):
    page = signed_in_page(new_context, live_server, "staff", "ko")
    page.goto(live_server.url + "/reports/")
    region = page.locator("#announcer")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")
    page.select_option("#template", "weekly_ops")
    page.click("[data-testid=generate]")
    row = page.locator("#report-rows tr").first
    expect(row).to_have_attribute("data-status", "DONE", timeout=60_000)
    expect(region).to_contain_text("주간 운영 보고서")
    expect(region).to_contain_text("완료")
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#announcer")).to_have_text("")  # a report already finished is not read out again
