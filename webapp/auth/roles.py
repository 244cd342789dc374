"""Who may do what (SPEC §2): named role sets, one decorator for role checks, tenant-scoped lookups (404 for foreign ids)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from ..extensions import db, login_manager

ADMIN = ("ADMIN",)
FINOPS = ("ADMIN", "PM")  # costs, budgets, analytics, reports on cost data
MANAGERS = ("ADMIN", "PM")  # schedules
EVERYONE = ("ADMIN", "PM", "STAFF")


def role_required(*roles: str, message: Callable[[], str] | None = None):
    """Allow the view only to signed-in users whose role is one of `roles`; others get 403 with `message()`.

    The view is marked with `allowed_roles`, which the main menu and the route tests read.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403, description=message() if message else None)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def tenant_get_or_404(model, object_id):
    """Fetch one row of the current user's tenant by id; another tenant's id is a 404, never a 403."""
    row = db.session.get(model, object_id)
    if row is None or row.tenant_id != current_user.tenant_id:
        abort(404)
    return row
