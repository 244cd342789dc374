"""Operational reports: templates, data collection, Excel/PDF building by workers, download and list."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import (
    routes,  # noqa: E402,F401
    sql,  # noqa: E402,F401  (registers the SQLite date function on every connection)
)
