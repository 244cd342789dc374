"""SR domain functions: codes, checking input, create, update, status changes (resolved_at follows DONE) and the list query.

create_sr, update_sr and change_status write the audit row and commit, as every area's service does.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..audit import record
from ..extensions import db
from ..models import SR_STATUSES, ServiceRequest, Tenant, local_code_date, utcnow
from ..validation import FieldErrors

EDITABLE = (
    "title",
    "type",
    "priority",
    "status",
    "service",
    "assignee",
    "root_cause",
    "description",
    "created_at",
    "resolved_at",
)


def sla_targets(tenant) -> dict[str, int]:
    """Hours to resolve an SR, per priority (the tenant's sla_hours setting)."""
    return {priority: int(hours) for priority, hours in tenant.setting("sla_hours").items()}


def new_sr_code(tenant_id: int, now: datetime | None = None, zone: str | None = None) -> str:
    """SR-YYYYMMDD-XXXXXX (date of creation in the tenant's zone, six upper-case hex), unique within the tenant."""
    day = local_code_date(now, zone)
    while True:
        code = f"SR-{day}-{secrets.token_hex(3).upper()}"
        taken = db.session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.tenant_id == tenant_id, ServiceRequest.code == code)
        )
        if not taken:
            return code


def apply_status(sr: ServiceRequest, status: str, resolved_at: datetime | None = None, now: datetime | None = None) -> None:
    """Set the status; DONE keeps (or sets) resolved_at — the given time, the old one, or now — any other status clears it."""
    sr.status = status
    if status == "DONE":
        sr.resolved_at = resolved_at or sr.resolved_at or now or utcnow()
    else:
        sr.resolved_at = None


def time_errors(values: dict, sr: ServiceRequest | None = None, now: datetime | None = None) -> dict[str, str]:
    """What is wrong with an SR's times, as {field: message} (empty when nothing is).

    Received in the future; a resolution time on an SR that is not DONE; resolved before it was received.
    """
    now = now or utcnow()
    created, resolved = values.get("created_at"), values.get("resolved_at")
    if created and created > now:
        return {"created_at": _("Received at: the time cannot be in the future.")}
    if resolved and values.get("status") != "DONE":
        return {"resolved_at": _("Resolved at: only a Done SR has a resolution time; leave it empty or choose Done.")}
    if resolved and resolved < (created or (sr.created_at if sr else now)):
        return {"resolved_at": _("Resolved at: the time is before the SR was received.")}
    return {}


def clean_sr(data: Mapping, zone_name: str, sr: ServiceRequest | None = None) -> dict:
    """Form values as model values (times typed in the institution's zone become UTC); FieldErrors for refused times."""
    values = {name: data.get(name) for name in ("title", "type", "priority", "status", "service", "description")}
    values["assignee"] = (data.get("assignee") or "").strip() or None
    values["root_cause"] = (data.get("root_cause") or "").strip() or None
    values["created_at"] = local_to_utc(data.get("created_at"), zone_name)
    values["resolved_at"] = local_to_utc(data.get("resolved_at"), zone_name)
    if errors := time_errors(values, sr):
        raise FieldErrors(errors)
    return values


def check_status(raw) -> str:
    """A status code of an SR; FieldErrors('status') listing the allowed ones."""
    if raw not in SR_STATUSES:
        raise FieldErrors({"status": _("Status: choose one of %(allowed)s.", allowed=", ".join(SR_STATUSES))})
    return raw


def create_sr(tenant_id: int, user, values: dict, now: datetime | None = None) -> ServiceRequest:
    """Add an SR (entered `now`, default the current time) with an audit row; committed."""
    now = now or utcnow()
    sr = ServiceRequest(
        tenant_id=tenant_id,
        code=new_sr_code(tenant_id, now, db.session.get(Tenant, tenant_id).timezone),
        **{k: values.get(k) for k in EDITABLE if k not in ("status", "resolved_at", "created_at")},
    )
    sr.description = sr.description or ""
    sr.created_at = values.get("created_at") or now
    apply_status(sr, values.get("status") or "OPEN", values.get("resolved_at"), now)
    db.session.add(sr)
    db.session.flush()
    record("create", "service_request", sr.id, user=user, code=sr.code, status=sr.status)
    db.session.commit()
    return sr


def update_sr(sr: ServiceRequest, user, values: dict) -> dict:
    """Change an SR's fields; returns what changed ([old, new]), recorded and committed.

    An empty resolved_at keeps the stored one (or takes now when the SR becomes DONE).
    """
    before = {k: getattr(sr, k) for k in EDITABLE}
    for key in ("title", "type", "priority", "service", "assignee", "root_cause", "description"):
        if key in values:
            setattr(sr, key, values[key])
    sr.description = sr.description or ""
    if values.get("created_at"):
        sr.created_at = values["created_at"]
    apply_status(sr, values.get("status") or sr.status, values.get("resolved_at"))
    changes = {k: [_plain(before[k]), _plain(getattr(sr, k))] for k in EDITABLE if before[k] != getattr(sr, k)}
    if changes:
        record("update", "service_request", sr.id, user=user, code=sr.code, **changes)
        db.session.commit()
    return changes


def change_status(sr: ServiceRequest, user, status: str) -> dict:
    """Only the status (resolved_at follows it); records the change and commits. FieldErrors for an unknown status."""
    before = (sr.status, sr.resolved_at)
    apply_status(sr, check_status(status))
    if before != (sr.status, sr.resolved_at):
        record(
            "update",
            "service_request",
            sr.id,
            user=user,
            code=sr.code,
            status=[before[0], sr.status],
            resolved_at=[_plain(before[1]), _plain(sr.resolved_at)],
        )
        db.session.commit()
    return {"status": sr.status}


def _plain(value):
    """Audit-friendly value."""
    return value.isoformat() if isinstance(value, datetime) else value


def local_to_utc(value: datetime | None, zone_name: str) -> datetime | None:
    """A naive datetime typed in the institution's zone, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def utc_to_local(value: datetime | None, zone_name: str) -> datetime | None:
    """An aware UTC datetime as a naive one in the institution's zone (for form fields)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None, second=0, microsecond=0)


def filtered_query(
    tenant_id: int,
    zone_name: str,
    q: str | None = None,
    status: str | None = None,
    type: str | None = None,
    priority: str | None = None,
    service: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
):
    """The tenant's SRs matching the filters, newest first (dates are days in the institution's zone)."""
    query = select(ServiceRequest).where(ServiceRequest.tenant_id == tenant_id)
    for column, value in (
        (ServiceRequest.status, status),
        (ServiceRequest.type, type),
        (ServiceRequest.priority, priority),
        (ServiceRequest.service, service),
    ):
        if value:
            query = query.where(column == value)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(
            or_(ServiceRequest.code.ilike(pattern), ServiceRequest.title.ilike(pattern), ServiceRequest.assignee.ilike(pattern))
        )
    zone = ZoneInfo(zone_name)
    if created_from:
        query = query.where(ServiceRequest.created_at >= datetime.combine(created_from, time.min, zone))
    if created_to:
        query = query.where(ServiceRequest.created_at < datetime.combine(created_to + timedelta(days=1), time.min, zone))
    return query.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
