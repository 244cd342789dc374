"""Phones and narrow windows (390×844): no page wider than the screen, a menu button that opens every page
(with and without JavaScript), key columns of every table on screen, chart text that keeps a readable size.
Screenshots of every main page, phone and desktop, Korean and English, go to tests/artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from webapp import charts

from .conftest import ARTIFACTS, DEMO_PASSWORDS
from .test_csp import site  # noqa: F401  (a fixture: a finished report and other real demo rows)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MAIN_PAGES = {
    "dashboard": "/dashboard",
    "costs": "/costs/",
    "budgets": "/budgets/",
    "budgets-year": "/budgets/year",
    "reports": "/reports/",
    "schedules": "/schedules/",
    "service-requests": "/service-requests/",
    "admin-users": "/admin/users",
    "admin-settings": "/admin/settings",
    "account": "/account/",
}
MIN_TEXT_PX = 10  # the smallest chart label a reader should meet, in CSS pixels on screen
RENDERED_TEXT = """svg => [...svg.querySelectorAll('text')].filter(t => t.getClientRects().length).map(t => ({
    text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a,
    box: (({left, right, top, bottom}) => ({left, right, top, bottom}))(t.getBoundingClientRect()),
    cls: t.getAttribute('class') || ''}))"""


def open_as(new_context, live_server, username: str, lang: str = "ko", viewport=PHONE, javascript: bool = True):
    """A signed-in page in a fresh context with the given screen size, language and JavaScript setting."""
    context = new_context(viewport=viewport, java_script_enabled=javascript)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("#tenant", "demo")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def visit(page, url: str) -> int:
    """Open a URL on the app, wait for htmx to settle, give back the status."""
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response.status


def overflow(page) -> int:
    """How many pixels the document is wider than the screen (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_on_screen(page, locator, what: str) -> None:
    """The element is shown and lies wholly inside the screen's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{what} at {box} is off a {width} px screen"


def shot(page, name: str) -> None:
    """A full-page screenshot that leaves the DOM alone (see test_csp.snap)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_main_page_is_wider_than_a_phone(live_server, new_context, site, lang):  # noqa: F811
    page = open_as(new_context, live_server, "admin", lang)
    for name, url in MAIN_PAGES.items():
        assert visit(page, live_server.url + url) == 200, url
        assert overflow(page) <= 0, f"{url} is {overflow(page)} px wider than the phone"
        shot(page, f"mobile-{lang}-phone-{name}")
        page.click("[data-testid=menu-button]")
        assert overflow(page) <= 0, f"{url} with the menu open is wider than the phone"
        if name == "dashboard":
            shot(page, f"mobile-{lang}-phone-menu-open")
    desktop = open_as(new_context, live_server, "admin", lang, viewport=DESKTOP)
    for name, url in MAIN_PAGES.items():
        visit(desktop, live_server.url + url)
        assert overflow(desktop) <= 0, f"{url} overflows the desktop"
        expect(desktop.locator("[data-testid=menu-button]")).to_be_hidden()  # wide screens show the menu itself
        expect(desktop.locator("#main-menu")).to_be_visible()
        shot(desktop, f"mobile-{lang}-desktop-{name}")


@pytest.mark.parametrize("username", ["admin", "pm", "staff"])
def test_every_menu_item_is_reachable_and_opens_its_page_on_a_phone(live_server, new_context, username):
    page = open_as(new_context, live_server, username)
    visit(page, live_server.url + "/reports/")
    menu = page.locator("#main-menu")
    expect(menu).to_be_hidden()  # collapsed behind the button
    page.click("[data-testid=menu-button]")
    links = menu.locator("a")
    labels = links.all_inner_texts()
    assert "서비스 요청" in labels
    assert ("대시보드" in labels) == (username != "staff")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for label, href in zip(labels, targets, strict=True):
        visit(page, live_server.url + "/reports/")
        page.click("[data-testid=menu-button]")
        link = page.locator("#main-menu a", has_text=label)
        assert_on_screen(page, link, f"menu item {label}")
        with page.expect_navigation() as landing:
            link.click()
        page.wait_for_load_state("networkidle")
        assert landing.value.status == 200 and page.url == live_server.url + href
        page.click("[data-testid=menu-button]")
        expect(page.locator("#main-menu a.active")).to_have_text(label)  # the menu shows where the user is
    # the account menu (and, for ADMIN, users, settings and the outbox) lives in the same panel
    visit(page, live_server.url + "/reports/")
    page.click("[data-testid=menu-button]")
    page.locator(".usermenu summary").click()
    account = page.locator(".dropdown-body a")
    account_targets = [account.nth(i).get_attribute("href") for i in range(account.count())]
    assert len(account_targets) == {"admin": 7, "pm": 4, "staff": 3}[username]
    for href in account_targets:
        visit(page, live_server.url + "/reports/")
        page.click("[data-testid=menu-button]")
        page.locator(".usermenu summary").click()
        link = page.locator(f".dropdown-body a[href='{href}']")
        assert_on_screen(page, link, f"account item {href}")
        with page.expect_navigation() as landing:
            link.click()
        assert landing.value.status == 200 and page.url == live_server.url + href
        assert page.locator(f".dropdown-body a[href='{href}'][aria-current=page]").count() == 1


def test_the_menu_button_works_without_javascript(live_server, new_context):
    page = open_as(new_context, live_server, "pm", javascript=False)
    visit(page, live_server.url + "/dashboard")
    menu_link = page.locator("#main-menu a", has_text="예산")
    expect(menu_link).to_be_hidden()
    page.click("[data-testid=menu-button]")
    expect(menu_link).to_be_visible()
    expect(page.locator(".usermenu .langswitch")).to_be_visible()
    shot(page, "mobile-ko-phone-menu-without-javascript")
    menu_link.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(live_server.url + "/budgets/")
    expect(page.locator("h1")).to_contain_text("예산")
    expect(page.locator("#main-menu")).to_be_hidden()  # each page starts with the menu collapsed
    page.click("[data-testid=menu-button]")
    expect(page.locator("#main-menu")).to_be_visible()
    page.click("[data-testid=menu-button]")  # and the same button closes it
    expect(page.locator("#main-menu")).to_be_hidden()


def row_cells(page, row, cells: dict) -> None:
    """Every named cell of a table row is on screen."""
    for what, locator in cells.items():
        assert_on_screen(page, row.locator(locator).first if isinstance(locator, str) else locator(row), what)


def test_key_columns_stay_on_a_phone(live_server, new_context, site):  # noqa: F811
    page = open_as(new_context, live_server, "admin")
    visit(page, live_server.url + "/costs/")
    row = page.locator("#cost-table tbody tr").first
    row_cells(
        page,
        row,
        {
            "code": "code",
            "period": lambda r: r.locator("td", has_text=re.compile(r"^\s*\d{4}-\d{2}\s*$")),
            "amount": "td.amount",
            "edit": "a.btn >> text=수정",
            "delete": "a.btn >> text=삭제",
        },
    )
    assert re.fullmatch(r"COST-\d{8}-[0-9A-F]{6}", row.locator("code").inner_text())
    assert row.locator("td.amount").inner_text().startswith("₩")

    visit(page, live_server.url + "/budgets/")
    row = page.locator("#budget-row-all")
    row_cells(
        page,
        row,
        {
            "scope": "td >> text=기관 전체",
            "budget": "td.num >> nth=0",
            "actual": "td.num >> nth=1",
            "status": ".badge",
            "set": "a.btn",
            "remove": "button.btn-danger",
        },
    )

    visit(page, live_server.url + "/reports/")
    row = page.locator("#report-rows tr[data-status=DONE]").first
    row_cells(page, row, {"template": "td.name", "period": "td >> text=~", "status": ".badge", "file": "[data-testid=download]"})

    visit(page, live_server.url + "/schedules/")
    row = page.locator("#schedules tbody tr").first
    row_cells(page, row, {"name": "td.name a", "next run": "td >> nth=4", "edit": "a.btn", "pause": "button.btn"})

    visit(page, live_server.url + "/service-requests/")
    row = page.locator("#sr-list tbody tr").first
    row_cells(page, row, {"code": "code", "title": "td.title", "status": "select[name=status]", "edit": "td.row-actions a"})

    visit(page, live_server.url + "/admin/users")
    row = page.locator("main table tbody tr").first
    row_cells(page, row, {"username": "td.name", "role": ".role", "edit": "td.row-actions a"})

    visit(page, live_server.url + "/dashboard")
    row = page.locator("#allocation tbody tr").first
    row_cells(page, row, {"service": ".svc", "amount": "td.num >> nth=0"})
    shot(page, "mobile-ko-phone-dashboard-allocation")


def test_names_and_badges_do_not_break_per_character(live_server, new_context, site):  # noqa: F811
    page = open_as(new_context, live_server, "admin")
    for url, selector in (
        ("/schedules/", "#schedules td.name strong"),
        ("/reports/", "#report-rows td.name"),
        ("/budgets/", "#budget-table .badge"),
        ("/dashboard", ".badge"),
        ("/service-requests/", "#sr-list .badge"),
    ):
        visit(page, live_server.url + url)
        elements = page.locator(selector)
        assert elements.count() > 0, url
        for i in range(min(elements.count(), 10)):
            element = elements.nth(i)
            if not element.is_visible():
                continue
            lines = element.evaluate("""el => {
                const range = document.createRange(); range.selectNodeContents(el);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            }""")
            text = element.inner_text()
            if "badge" in (element.get_attribute("class") or ""):
                assert lines == 1, f"badge {text!r} on {url} breaks across lines"
            else:
                words = len(text.split())
                assert lines <= words, f"{text!r} on {url} takes {lines} lines for {words} words"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_labels_keep_a_readable_size(live_server, new_context, viewport):
    page = open_as(new_context, live_server, "pm", viewport=viewport)
    visit(page, live_server.url + "/dashboard")
    svgs = page.locator("svg.chart")
    assert svgs.count() >= 4
    sizes = []
    for i in range(svgs.count()):
        for label in svgs.nth(i).evaluate(RENDERED_TEXT):
            sizes.append(label["px"])
            assert label["px"] >= MIN_TEXT_PX, f"{label['text']!r} is drawn at {label['px']:.1f} px"
    assert len(sizes) > 30


def test_a_long_trend_shows_fewer_ticks_on_a_phone_not_smaller_text(live_server, new_context):
    """24 monthly labels: all of them on the desktop; on a phone every few, none overlapping, none shrunk."""
    labels = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
    chart = str(charts.line_chart(labels, [1_000_000 * (i + 5) for i in range(24)], width=640, height=260))
    shown = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_as(new_context, live_server, "pm", viewport=viewport)
        visit(page, live_server.url + "/dashboard")
        page.evaluate("markup => { document.querySelector('.chart-card').innerHTML = markup; }", chart)
        drawn = page.locator(".chart-card").first.locator("svg.chart").evaluate(RENDERED_TEXT)
        ticks = [t for t in drawn if "tick x" in t["cls"]]
        shown[name] = [t["text"] for t in ticks]
        for tick in ticks:
            assert tick["px"] >= MIN_TEXT_PX, f"{tick['text']} at {tick['px']:.1f} px on the {name}"
        for left, right in zip(ticks, ticks[1:], strict=False):
            assert left["box"]["right"] <= right["box"]["left"], f"{left['text']} overlaps {right['text']} on the {name}"
        if name == "phone":
            shot(page, "mobile-ko-phone-long-trend")
    assert len(shown["desktop"]) >= 8 and shown["desktop"] == labels[::-1][:: 24 // len(shown["desktop"])][::-1]  # evenly spaced
    assert 3 <= len(shown["phone"]) < len(shown["desktop"])
    assert shown["phone"][-1] == labels[-1]  # the latest month always keeps its label
