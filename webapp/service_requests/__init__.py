"""Service requests (SRs): the minimal screen to see and correct the data behind operational reports."""

from flask import Blueprint

bp = Blueprint("service_requests", __name__, url_prefix="/service-requests")

from . import routes  # noqa: E402,F401
