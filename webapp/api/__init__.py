"""The JSON API under /api: session or bearer-token auth, and the conventions every API module follows.

- Serialising: each module builds plain dicts (`*_json(row)`) and hands them to jsonify(); the app's
  JSON provider (webapp/jsonable.py) writes money as numbers and dates and times as ISO 8601.
- Errors: the one shape of webapp/errors.py, `{"detail": ..., "errors": {field: message}}` (plus
  `field` where a client reads it), raised as FieldErrors (`refused()`) and answered by its handler.
  The helpers named here live in webapp/json_api.py (a leaf module the API modules import).
- 400 vs 422: a body that is not a JSON object (`json_object()`) or a refused query parameter is a
  400; a JSON object whose fields are refused is a 422. The schedule API is the one exception, kept
  for the clients built on it: its refused fields answer 400 (SPEC §7 lets each answer "as fits").
- Pages: ?page=&per_page= (webapp/pagination.py `api_window`, `api_page`); an object answer carries
  page, per_page, total and pages; a list answer (`list_response()`) carries them as X-Total-Count,
  X-Page, X-Per-Page and X-Total-Pages headers.
- URLs in an answer are built with url_for, never written out.
"""

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


from . import (  # noqa: E402
    finops,  # noqa: E402,F401
    reports,  # noqa: E402,F401
    routes,  # noqa: E402,F401
    schedules,  # noqa: E402,F401
)
