"""Locale and time zone selection (inside and outside requests) and catalogue compilation."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, refresh
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_COOKIE = "lang"


def translation_directories() -> list[str]:
    """Every translations/ folder in the package (one per area), merged by Flask-Babel."""
    return [str(path) for path in sorted(PACKAGE_DIR.rglob("translations")) if path.is_dir()]


def stale_catalogues() -> list[Path]:
    """The messages.po files whose messages.mo is missing or older (compiled at set-up, never at start-up)."""
    stale = []
    for directory in translation_directories():
        for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                stale.append(po_path)
    return stale


def compile_catalogues() -> int:
    """Compile each stale messages.po to messages.mo (`make setup` / `scripts/i18n.py compile`); returns how many."""
    stale = stale_catalogues()
    for po_path in stale:
        mo_path = po_path.with_suffix(".mo")
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue)
        tmp_path.replace(mo_path)
    return len(stale)


def tenant_in_context():
    """The tenant of the signed-in user, or of the job being run."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.tenant
    return g.get("tenant") if has_app_context() else None


def select_locale() -> str:
    """The language chosen by cookie, else the tenant's, else Korean."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in languages:
            return chosen
    if has_app_context() and g.get("locale") in languages:
        return g.locale
    tenant = tenant_in_context()
    if tenant is not None and tenant.locale in languages:
        return tenant.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The tenant's time zone, else the default (Asia/Seoul)."""
    tenant = tenant_in_context()
    if tenant is not None and tenant.timezone:
        return tenant.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


@contextmanager
def tenant_context(tenant, locale: str | None = None):
    """Run CLI or job code with the tenant's locale and time zone selected."""
    previous = g.get("tenant"), g.get("locale")
    g.tenant, g.locale = tenant, locale or tenant.locale
    refresh()
    try:
        with force_locale(g.locale):
            yield
    finally:
        g.tenant, g.locale = previous
        refresh()
