"""The main and account menus come from the views' role rules: each role sees exactly the pages it may open,
every link it sees opens (200), and the entry of the current area is marked on every page."""

from __future__ import annotations

import re

import pytest

from webapp.navigation import ACCOUNT_MENU, MAIN_MENU, active_entry, roles_allowed, visible_entries

MENU_LINK = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.DOTALL)
ACCOUNT_LINKS = re.compile(r'<div class="dropdown-body">(.*?)</form>', re.DOTALL)
HREF = re.compile(r'<a href="([^"]+)"')
CURRENT = re.compile(r'<a href="([^"]+)" class="active" aria-current="(page|true)">')


def menu_hrefs(page: str) -> tuple[list[str], list[str]]:
    """The hrefs of the main menu and of the account menu on a page."""
    main = MENU_LINK.search(page)
    account = ACCOUNT_LINKS.search(page)
    return HREF.findall(main.group(1)) if main else [], HREF.findall(account.group(1)) if account else []


def test_every_menu_entry_names_a_view_with_a_role_rule(bare_app):
    for entry in MAIN_MENU + ACCOUNT_MENU:
        assert entry.endpoint in bare_app.view_functions, entry.endpoint
        assert roles_allowed(bare_app, entry.endpoint), entry.endpoint


@pytest.mark.parametrize(
    "role, expected",
    [
        (
            "ADMIN",
            [
                "main.dashboard",
                "costs.index",
                "budgets.index",
                "reports.index",
                "service_requests.index",
                "imports.index",
                "schedules.index",
            ],
        ),
        (
            "PM",
            [
                "main.dashboard",
                "costs.index",
                "budgets.index",
                "reports.index",
                "service_requests.index",
                "imports.index",
                "schedules.index",
            ],
        ),
        ("STAFF", ["reports.index", "service_requests.index"]),
    ],
)
def test_the_menu_follows_allowed_roles(bare_app, role, expected):
    shown = [entry.endpoint for entry in visible_entries(MAIN_MENU, role, bare_app)]
    assert shown == expected
    assert shown == [e.endpoint for e in MAIN_MENU if role in bare_app.view_functions[e.endpoint].allowed_roles]


def test_a_view_that_changes_its_roles_changes_the_menu(bare_app):
    view = bare_app.view_functions["schedules.index"]
    original = view.allowed_roles
    try:
        view.allowed_roles = ("ADMIN", "PM", "STAFF")
        assert "schedules.index" in [e.endpoint for e in visible_entries(MAIN_MENU, "STAFF", bare_app)]
    finally:
        view.allowed_roles = original
    assert "schedules.index" not in [e.endpoint for e in visible_entries(MAIN_MENU, "STAFF", bare_app)]


@pytest.mark.parametrize("username", ["admin", "pm", "staff"])
def test_each_role_can_open_every_link_it_is_shown_and_no_other(client, auth, tenant, username):
    auth.login(username)
    page = client.get("/reports/").get_data(as_text=True)
    main, account = menu_hrefs(page)
    assert "/service-requests/" in main
    for href in main + account:
        assert client.get(href).status_code == 200, href
    hidden = {
        "/dashboard",
        "/costs/",
        "/budgets/",
        "/schedules/",
        "/imports/",
        "/admin/users",
        "/admin/settings",
        "/admin/outbox",
        "/admin/audit/",
    }
    for href in hidden - set(main) - set(account):
        assert client.get(href).status_code == 403, href
    expected_main = {"admin": 7, "pm": 7, "staff": 2}[username]
    expected_account = {"admin": 7, "pm": 4, "staff": 3}[username]
    assert (len(main), len(account)) == (expected_main, expected_account)


def test_staff_home_page_links_to_service_requests(client, auth, tenant):
    auth.login("staff")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-service-requests"' in page and 'href="/service-requests/"' in page


@pytest.mark.parametrize(
    "url, current",
    [
        ("/dashboard", ("/dashboard", "page")),
        ("/costs/", ("/costs/", "page")),
        ("/schedules/new", ("/schedules/", "true")),
        ("/admin/outbox", ("/admin/outbox", "page")),
        ("/admin/users/new", ("/admin/users", "true")),
        ("/admin/settings", ("/admin/settings", "page")),
        ("/account/", ("/account/", "page")),
        ("/account/tokens", ("/account/tokens", "page")),
        ("/notices/", ("/notices/", "page")),
        ("/service-requests/new", ("/service-requests/", "true")),
    ],
)
def test_the_current_area_is_marked(client, auth, tenant, url, current):
    auth.login("admin")
    page = client.get(url).get_data(as_text=True)
    assert CURRENT.findall(page) == [current]
    if url.startswith(("/admin", "/account", "/notices")):
        assert '<details class="dropdown active">' in page  # the closed account menu shows it holds the page
    else:
        assert '<details class="dropdown">' in page


def test_active_entry_prefers_an_exact_endpoint_over_a_blueprint_pattern():
    assert active_entry(list(MAIN_MENU), "costs.edit").endpoint == "costs.index"
    assert active_entry(list(MAIN_MENU), "schedules.outbox_index") is None  # the outbox is not a schedules page
    assert active_entry(list(ACCOUNT_MENU), "schedules.outbox_message").endpoint == "schedules.outbox_index"
    assert active_entry(list(MAIN_MENU), "main.index") is None
    assert active_entry(list(MAIN_MENU), None) is None
