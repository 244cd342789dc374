"""API endpoints that belong to no single area."""

from flask import jsonify
from flask_login import current_user

from ..auth.roles import EVERYONE, role_required
from . import bp


@bp.get("/me")
@role_required(*EVERYONE)
def me():
    """Who the caller is: user, role and tenant."""
    return jsonify(
        username=current_user.username,
        email=current_user.email,
        role=current_user.role,
        tenant={
            "slug": current_user.tenant.slug,
            "name": current_user.tenant.name,
            "currency": current_user.tenant.currency,
            "timezone": current_user.tenant.timezone,
        },
    )
