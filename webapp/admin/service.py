"""Users and institution settings: the one way to create and change them, for the admin pages, the CLI and the demo.

Each function checks the domain rules (a username unique in the institution, a password of at
least 8 characters, no administrator removing their own access), writes the audit row and
commits; a refused change raises FieldErrors naming each field and stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_timezone_location
from babel.numbers import get_currency_name
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import record
from ..auth.sessions import current_session, keep_session
from ..extensions import db
from ..models import ROLES, AuditLog, Tenant, User
from ..validation import FieldErrors, check_email, check_text, check_timezone, check_whole_number, checked

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 256
USER_FIELDS = ("username", "email", "role", "active")
PRIORITIES = ("P1", "P2", "P3", "P4")
LOCALES = ("ko", "en")
# the currencies an institution may report in (amounts are stored as entered; the code is how they are shown)
CURRENCIES = ("KRW", "USD", "EUR", "JPY", "CNY", "GBP")
TENANT_NAME_MAX = 200
SLA_HOURS_MAX, RETENTION_DAYS_MAX = 8760, 3650


def last_sign_ins(tenant_id: int, user_ids: list[int]) -> dict:
    """{user id: when they last signed in (UTC)} from the sign-in rows of the audit log; never-signed-in users are absent."""
    if not user_ids:
        return {}
    at = func.max(AuditLog.at, type_=AuditLog.__table__.c.at.type)
    rows = db.session.execute(
        select(AuditLog.entity_id, at)
        .where(
            AuditLog.tenant_id == tenant_id,
            AuditLog.entity == "user",
            AuditLog.action == "login",
            AuditLog.entity_id.in_([str(user_id) for user_id in user_ids]),
        )
        .group_by(AuditLog.entity_id)
    ).all()
    return {int(entity_id): when for entity_id, when in rows}


def username_taken(tenant_id: int, username: str, exclude_id: int | None = None) -> bool:
    """True when another user of the tenant already has the username."""
    query = select(func.count()).select_from(User).where(User.tenant_id == tenant_id, User.username == username)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) > 0


def check_user(tenant_id: int, values: Mapping, user: User | None = None, actor: User | None = None) -> dict:
    """The checked user fields (and password, when given); FieldErrors naming every refused field."""
    errors: dict[str, str] = {}
    clean: dict = {}
    username = str(values.get("username", user.username if user else "") or "").strip()
    if not USERNAME_PATTERN.match(username):
        errors["username"] = _("Username: use letters, digits, '.', '_' or '-'.")
    elif username_taken(tenant_id, username, exclude_id=user.id if user else None):
        errors["username"] = _("Username: this name is already used in your institution.")
    clean["username"] = username
    try:
        clean["email"] = check_email("email", values.get("email", user.email if user else ""))
    except FieldErrors as refused:
        errors.update(refused.errors)
    role = str(values.get("role", user.role if user else "") or "").strip().upper()
    if role not in ROLES:
        errors["role"] = _("Role: choose one of %(allowed)s.", allowed=", ".join(ROLES))
    clean["role"] = role
    clean["active"] = bool(values.get("active", user.active if user else True))
    if user is not None and actor is not None and user.id == actor.id and (role != "ADMIN" or not clean["active"]):
        errors["role"] = _("Role: you cannot remove your own administrator access.")
    password = values.get("password") or ""
    if password or user is None:
        if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
            errors["password"] = _("Password: enter at least 8 characters.")
        clean["password"] = password
    if errors:
        raise FieldErrors(errors)
    return clean


def create_user(tenant: Tenant, values: Mapping, actor: User | None = None, via: str | None = None) -> User:
    """Add a checked user to the tenant, with its audit row."""
    clean = check_user(tenant.id, values)
    user = User(tenant_id=tenant.id, **{field: clean[field] for field in USER_FIELDS})
    user.set_password(clean["password"])
    db.session.add(user)
    db.session.flush()
    extra = {"via": via} if via else {}
    record("create", "user", user.id, user=actor, tenant_id=tenant.id, username=user.username, role=user.role, **extra)
    db.session.commit()
    return user


def update_user(user: User, values: Mapping, actor: User | None = None, via: str | None = None) -> dict:
    """Apply checked changes; a new password, role or active flag ends the user's sessions (one's own current one is kept)."""
    clean = check_user(user.tenant_id, values, user=user, actor=actor)
    changes = {field: clean[field] for field in USER_FIELDS if field in values and getattr(user, field) != clean[field]}
    for field, value in changes.items():
        setattr(user, field, value)
    if clean.get("password"):
        if actor is not None and user.id == actor.id:  # one's own new password keeps this session, as on the account page
            keep_session(user, current_session())
        user.set_password(clean["password"])
        changes["password"] = "changed"
    if not changes:
        return changes
    db.session.flush()  # a new password, role or active flag ends the user's sessions (webapp.auth.sessions)
    extra = {"via": via} if via else {}
    record(
        "update", "user", user.id, user=actor, tenant_id=user.tenant_id, **changes, sessions_ended=user.sessions_ended, **extra
    )
    db.session.commit()
    return changes


def check_tenant_settings(values: Mapping) -> dict:
    """The checked institution settings; FieldErrors naming every refused field (sla_p1… for the SLA hours)."""
    sla = values.get("sla_hours") or {}

    def whole(field: str, raw, maximum: int):
        message = _("%(field)s: must be a whole number from 1 to %(max)s.", field=field, max=maximum)
        return lambda: check_whole_number(field, raw, minimum=1, maximum=maximum, message=message)

    def locale():
        if values.get("locale") not in LOCALES:
            raise FieldErrors({"locale": _("Default language: choose one of %(allowed)s.", allowed=", ".join(LOCALES))})
        return values["locale"]

    def currency():
        code = str(values.get("currency") or "KRW").strip().upper()
        if code not in CURRENCIES:
            raise FieldErrors({"currency": _("Currency: choose one of %(allowed)s.", allowed=", ".join(CURRENCIES))})
        return code

    clean, errors = checked(
        {
            "name": lambda: check_text("name", values.get("name"), max_length=TENANT_NAME_MAX, required=True),
            "currency": currency,
            "timezone": lambda: check_timezone(values.get("timezone")),
            "locale": locale,
            **{f"sla_{p.lower()}": whole(f"sla_{p.lower()}", sla.get(p), SLA_HOURS_MAX) for p in PRIORITIES},
            "report_retention_days": whole("report_retention_days", values.get("report_retention_days"), RETENTION_DAYS_MAX),
        }
    )
    if errors:
        raise FieldErrors(errors)
    clean["sla_hours"] = {p: clean.pop(f"sla_{p.lower()}") for p in PRIORITIES}
    return clean


def update_tenant_settings(tenant: Tenant, values: Mapping, actor: User) -> None:
    """Check and save the institution's name, zone, language, currency, SLA targets and report retention; FieldErrors when refused.

    The currency is kept as it is when `values` does not name one (callers from before it was editable).
    """
    clean = check_tenant_settings(values)
    new_settings = dict(tenant.settings or {})
    new_settings["sla_hours"] = clean["sla_hours"]
    new_settings["report_retention_days"] = clean["report_retention_days"]
    tenant.name, tenant.timezone, tenant.locale = clean["name"], clean["timezone"], clean["locale"]
    if "currency" in values:
        tenant.currency = clean["currency"]
    tenant.settings = new_settings
    record(
        "update",
        "tenant",
        tenant.id,
        user=actor,
        name=tenant.name,
        timezone=tenant.timezone,
        locale=tenant.locale,
        currency=tenant.currency,
        **new_settings,
    )
    db.session.commit()


@lru_cache(maxsize=4)
def _zones_in(locale: str) -> tuple[tuple[str, str], ...]:
    """(zone, "city — zone (UTC±hh:mm)") for every city zone zoneinfo knows, sorted by offset then city."""
    now = datetime.now(UTC)
    found = []
    for zone in available_timezones():
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            continue
        try:
            city = get_timezone_location(zone, locale=locale, return_city=True)
        except (LookupError, ValueError):
            city = zone.rsplit("/", 1)[-1].replace("_", " ")
        offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "−"
        label = f"{city} — {zone} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
        found.append((minutes, city, zone, label))
    return tuple((zone, label) for _minutes, _city, zone, label in sorted(found))


def zone_choices() -> tuple[tuple[str, str], ...]:
    """The time zones offered on the settings page, named in the reader's language (search by city)."""
    return _zones_in(str(get_locale() or "ko"))


def currency_choices() -> list[tuple[str, str]]:
    """(code, "KRW — 대한민국 원") for each currency an institution may choose."""
    locale = str(get_locale() or "ko")
    return [(code, f"{code} — {get_currency_name(code, locale=locale)}") for code in CURRENCIES]
