"""One decorator for role checks, and tenant-scoped lookups that answer 404 for foreign ids."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from ..extensions import db, login_manager


def role_required(*roles: str):
    """Allow the view only to signed-in users whose role is one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
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
