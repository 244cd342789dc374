"""Writing audit log rows alongside the change they describe."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from .extensions import db
from .models import AuditLog


def record(action: str, entity: str, entity_id: Any = None, *, user=None, tenant_id: int | None = None, **details) -> AuditLog:
    """Add an AuditLog row to the session; the caller's commit stores it with the change."""
    actor = user if user is not None else (current_user if current_user and current_user.is_authenticated else None)
    row = AuditLog(
        tenant_id=tenant_id if tenant_id is not None else actor.tenant_id,
        user_id=actor.id if actor is not None else None,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=_jsonable(details),
    )
    db.session.add(row)
    return row


def _jsonable(value):
    """Turn Decimals, dates and other values into JSON-safe ones."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
