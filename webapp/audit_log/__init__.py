"""The audit log page: who changed what and when, before → after (ADMIN all of it; PM the cost and budget part)."""

from flask import Blueprint

bp = Blueprint("audit_log", __name__, url_prefix="/admin/audit")

from . import routes  # noqa: F401
