"""The main menu and the account menu, built from the views' own role rules.

Each entry names the endpoint it opens; it is shown to a user when that view's `allowed_roles`
(set by `role_required`) include the user's role, so the menu can never offer a page that answers 403.
A view that carries no role rule (`login_required` only) admits every signed-in user.
Each entry also names the endpoints that belong to its area, so the menu highlights the right entry
on every page (e.g. the outbox is an admin page although the schedules blueprint serves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from flask import Flask, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .auth.roles import EVERYONE


@dataclass(frozen=True)
class MenuEntry:
    """One menu link: the endpoint it opens, its label, and the endpoints (glob patterns) of its area."""

    endpoint: str
    label: object
    area: tuple[str, ...] = field(default=())

    def patterns(self) -> tuple[str, ...]:
        """The area's endpoint patterns; by default every endpoint of the entry's blueprint."""
        return self.area or (self.endpoint.split(".")[0] + ".*",)


MAIN_MENU: tuple[MenuEntry, ...] = (
    MenuEntry("main.dashboard", _l("Dashboard"), ("main.dashboard",)),
    MenuEntry("costs.index", _l("Costs")),
    MenuEntry("budgets.index", _l("Budgets")),
    MenuEntry("reports.index", _l("Reports")),
    MenuEntry("service_requests.index", _l("Service requests")),
    MenuEntry("imports.index", _l("Imports")),
    MenuEntry(
        "schedules.index",
        _l("Schedules"),
        ("schedules.index", "schedules.create", "schedules.edit", "schedules.detail", "schedules.delete", "schedules.preview"),
    ),
)

ACCOUNT_MENU: tuple[MenuEntry, ...] = (
    MenuEntry("account.index", _l("My account"), ("account.index",)),
    MenuEntry("account.tokens", _l("API tokens"), ("account.tokens",)),
    MenuEntry("notices.index", _l("Notices")),
    MenuEntry("admin.users", _l("Users"), ("admin.users", "admin.create_user", "admin.edit_user")),
    MenuEntry("admin.settings", _l("Institution settings"), ("admin.settings",)),
    MenuEntry("audit_log.index", _l("Audit log")),
    MenuEntry("schedules.outbox_index", _l("Outbox"), ("schedules.outbox_*",)),
)


def roles_allowed(app: Flask, endpoint: str) -> tuple[str, ...]:
    """The roles the view behind `endpoint` admits (every role when it only asks for a signed-in user)."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return ()
    return tuple(getattr(view, "allowed_roles", ()) or EVERYONE)


def visible_entries(entries: tuple[MenuEntry, ...], role: str, app: Flask | None = None) -> list[MenuEntry]:
    """The entries whose view exists and admits `role`, in menu order."""
    app = app or current_app
    return [entry for entry in entries if role in roles_allowed(app, entry.endpoint)]


def active_entry(entries: list[MenuEntry], endpoint: str | None) -> MenuEntry | None:
    """The entry whose area holds `endpoint`: an exact endpoint beats a pattern (first match in menu order)."""
    if not endpoint:
        return None
    for entry in entries:
        if endpoint in entry.patterns():
            return entry
    for entry in entries:
        if any(fnmatchcase(endpoint, pattern) for pattern in entry.patterns()):
            return entry
    return None


def can_open(endpoint: str) -> bool:
    """Whether the signed-in user's role may open the page behind `endpoint` (for links outside the menu)."""
    signed_in = has_request_context() and current_user.is_authenticated
    return signed_in and current_user.role in roles_allowed(current_app, endpoint)


def menus() -> dict:
    """Template values: the signed-in user's main and account menus, which entry is current, and `can_open`.

    Templates rendered outside a request (PDF reports, e-mails built by jobs) get empty menus.
    """
    if not has_request_context() or not current_user.is_authenticated:
        return {"main_menu": [], "account_menu": [], "active_menu_entry": None, "can_open": can_open}
    main = visible_entries(MAIN_MENU, current_user.role)
    account = visible_entries(ACCOUNT_MENU, current_user.role)
    # The account menu is searched first: its exact endpoints (outbox, users) win over a blueprint-wide pattern.
    active = active_entry(account, request.endpoint) or active_entry(main, request.endpoint)
    return {"main_menu": main, "account_menu": account, "active_menu_entry": active, "can_open": can_open}


def register_navigation(app: Flask) -> None:
    """Give every template the menus of the signed-in user."""
    app.context_processor(menus)
