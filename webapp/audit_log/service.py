"""Reading the audit trail: areas, filters, one query for the page and the export, and rows in readable form.

The rows are written by `webapp.audit.record` beside each change (creates carry the values, updates carry
{field: [before, after]}, deletes what was removed). Here they are only read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..analytics.labels import category_name
from ..costs.export import neutralise
from ..extensions import db
from ..formatting import money
from ..models import AuditLog, User
from ..validation import FieldErrors, check_iso_date

# area code → (label, the entities whose rows belong to it)
AREAS: dict[str, tuple[object, tuple[str, ...]]] = {
    "costs": (_l("Costs"), ("cost", "import_batch")),
    "budgets": (_l("Budgets"), ("budget", "budget_alert")),
    "reports": (_l("Reports"), ("report",)),
    "schedules": (_l("Schedules"), ("report_schedule", "schedule_run")),
    "service_requests": (_l("Service requests"), ("service_request",)),
    "users": (_l("Users and sign-in"), ("user", "user_session", "api_token")),
    "settings": (_l("Institution settings"), ("tenant",)),
    "system": (_l("System"), ("queue",)),
}
# what a PM may read: the cost and budget part
PM_AREAS = ("costs", "budgets")

ACTIONS = {
    "create": _l("Added"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "login": _l("Sign-in"),
    "logout": _l("Signed out"),
    "change_password": _l("Password changed"),
    "sign_out_everywhere": _l("Signed out everywhere"),
    "end_session": _l("Session ended"),
    "revoke": _l("Revoked"),
    "pause": _l("Paused"),
    "resume": _l("Resumed"),
    "run": _l("Run started"),
    "purge": _l("Purged (retention)"),
    "copy": _l("Copy"),
    "undo": _l("Undone"),
}

# the recorded detail keys people read, in their words (an unknown key shows as recorded)
FIELD_LABELS = {
    "amount": _l("Amount"),
    "year": _l("Year"),
    "month": _l("Month"),
    "category": _l("Category"),
    "service": _l("Service"),
    "description": _l("Description"),
    "department": _l("Department"),
    "server_id": _l("Server"),
    "code": _l("Code"),
    "username": _l("Username"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "active": _l("Active"),
    "status": _l("Status"),
    "title": _l("Title"),
    "name": _l("Name"),
    "cron": _l("Cron"),
    "recipients": _l("Recipients"),
    "template": _l("Template"),
    "timezone": _l("Time zone"),
    "sessions_ended": _l("Sessions ended"),
    "via": _l("Made through"),
}
MONEY_FIELDS = {"amount", "budget", "actual"}

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def areas_for(role: str) -> list[str]:
    """The areas a role may read, in menu order."""
    return list(AREAS) if role == "ADMIN" else [area for area in AREAS if area in PM_AREAS]


def area_of(entity: str) -> str | None:
    """The area an entity's rows belong to (None for an entity no area lists)."""
    return next((area for area, (_label, entities) in AREAS.items() if entity in entities), None)


@dataclass(frozen=True)
class AuditFilter:
    """What the page asks for: a user, an area, and a date range in the tenant's calendar."""

    user_id: int | None = None
    area: str | None = None
    start: date | None = None
    end: date | None = None

    def query_args(self) -> dict[str, str]:
        """The filter as query-string values (for the export link and the pager)."""
        values = {"user": self.user_id, "area": self.area, "start": self.start, "end": self.end}
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def read_filter(args: Mapping, tenant_id: int, role: str) -> AuditFilter:
    """Check ?user=&area=&start=&end=; a bad value is a FieldErrors naming the field (nothing is guessed)."""
    errors: dict[str, str] = {}
    user_id = area = start = end = None
    raw_user = str(args.get("user", "") or "").strip()
    if raw_user:
        if raw_user.isascii() and raw_user.isdigit() and len(raw_user) < 12:
            user_id = int(raw_user)
            if db.session.scalar(select(User.id).where(User.id == user_id, User.tenant_id == tenant_id)) is None:
                errors["user"] = _("User: choose a user of this institution.")
        else:
            errors["user"] = _("User: choose a user of this institution.")
    raw_area = str(args.get("area", "") or "").strip()
    if raw_area:
        if raw_area in areas_for(role):
            area = raw_area
        else:
            errors["area"] = _("Area: choose one of the areas listed.")
    message = _("Date: enter a date as YYYY-MM-DD.")
    for name in ("start", "end"):
        raw = str(args.get(name, "") or "").strip()
        if raw:
            try:
                value = check_iso_date(name, raw, message)
            except FieldErrors as exc:
                errors.update({name: next(iter(exc.errors.values()))})
                continue
            if name == "start":
                start = value
            else:
                end = value
    if start and end and end < start:
        errors["end"] = _("To: the end date comes on or after the start date.")
    if errors:
        raise FieldErrors(errors)
    return AuditFilter(user_id=user_id, area=area, start=start, end=end)


def audit_query(tenant_id: int, role: str, chosen: AuditFilter, zone_name: str):
    """The tenant's rows the role may read under the filter, newest first."""
    allowed = [entity for area in areas_for(role) for entity in AREAS[area][1]]
    entities = AREAS[chosen.area][1] if chosen.area else allowed
    query = select(AuditLog).where(AuditLog.tenant_id == tenant_id, AuditLog.entity.in_(entities))
    if role != "ADMIN":
        query = query.where(AuditLog.entity.in_(allowed))
    if chosen.user_id is not None:
        query = query.where(AuditLog.user_id == chosen.user_id)
    zone = ZoneInfo(zone_name)
    if chosen.start:
        query = query.where(AuditLog.at >= datetime.combine(chosen.start, time(), zone))
    if chosen.end:
        query = query.where(AuditLog.at < datetime.combine(chosen.end + timedelta(days=1), time(), zone))
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def shown_value(value) -> str:
    """A stored value as text: lists joined, nothing as an em dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(shown_value(item) for item in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@dataclass(frozen=True)
class Change:
    """One detail of a row: a field and its value, or its value before and after."""

    field: str
    before: str | None
    after: str


def field_value(key: str, value) -> str:
    """A recorded value in the reader's words: money as money, a category by its name."""
    if key in MONEY_FIELDS and value not in (None, ""):
        try:
            return money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return shown_value(value)
    if key == "category" and isinstance(value, str):
        return category_name(value)
    return shown_value(value)


def changes_of(row: AuditLog) -> list[Change]:
    """The row's details: an update's [before, after] pairs as changes, other values as they were recorded."""
    found = []
    for key, value in sorted((row.details or {}).items()):
        label = str(FIELD_LABELS.get(key, key))
        if row.action == "update" and isinstance(value, list) and len(value) == 2:
            found.append(Change(label, field_value(key, value[0]), field_value(key, value[1])))
        else:
            found.append(Change(label, None, field_value(key, value)))
    return found


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def area_label(entity: str) -> str:
    area = area_of(entity)
    return str(AREAS[area][0]) if area else entity


def changes_text(row: AuditLog) -> str:
    """The details in one line: `amount: 1000 → 2000; service: INFRA`."""
    return "; ".join(
        f"{c.field}: {c.before} → {c.after}" if c.before is not None else f"{c.field}: {c.after}" for c in changes_of(row)
    )


def usernames(tenant_id: int) -> dict[int, str]:
    """{user id: username} of the tenant (a removed user's rows show as the system's)."""
    return dict(db.session.execute(select(User.id, User.username).where(User.tenant_id == tenant_id)).all())


def export_csv(rows, names: Mapping[int, str]) -> Iterator[bytes]:
    """The rows as CSV (UTF-8 with BOM so Excel reads Korean), written in chunks; cells that look like formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Time"), _("User"), _("Area"), _("Action"), _("Record"), _("Changes")])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for index, row in enumerate(rows):
        if index % 500 == 0:
            buffer.seek(0)
            buffer.truncate()
        writer.writerow(
            [
                neutralise(value)
                for value in (
                    format_datetime(row.at, "yyyy-MM-dd HH:mm:ss"),
                    names.get(row.user_id) or _("(system)"),
                    area_label(row.entity),
                    action_label(row.action),
                    f"{row.entity} {row.entity_id or ''}".strip(),
                    changes_text(row),
                )
            ]
        )
        if index % 500 == 499:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest.encode("utf-8")
