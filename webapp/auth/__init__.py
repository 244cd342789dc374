"""Sign-in, sign-out, role checks and API token authentication."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes  # noqa: E402,F401
