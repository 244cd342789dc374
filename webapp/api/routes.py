"""API endpoints that belong to no single area."""

from flask import jsonify
from flask_login import current_user

from ..auth.roles import EVERYONE, role_required
from . import bp


def me_json(user) -> dict:
    """The API shape of the caller: user, role and tenant."""
    return {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "tenant": {
            "slug": user.tenant.slug,
            "name": user.tenant.name,
            "currency": user.tenant.currency,
            "timezone": user.tenant.timezone,
        },
    }


@bp.get("/me")
@role_required(*EVERYONE)
def me():
    """Who the caller is: user, role and tenant."""
    return jsonify(me_json(current_user))
