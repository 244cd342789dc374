"""The JSON API under /api: session or bearer-token auth, JSON errors."""

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


@bp.before_app_request
def require_authentication():
    """Every /api/ call needs a user; browser-session calls that change data also need the CSRF token."""
    from flask_babel import gettext as _

    if not request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return jsonify(detail=_("Authentication required.")), 401
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("api_token_id"):
        csrf.protect()


from . import (
    finops,  # noqa: E402,F401
    reports,  # noqa: E402,F401
    routes,  # noqa: E402,F401
    schedules,  # noqa: E402,F401
)
