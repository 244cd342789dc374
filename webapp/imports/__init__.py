"""Imports (SPEC §6): costs, service requests and servers with utilisation from CSV or XLSX files, as undoable batches."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from . import routes  # noqa: E402,F401
