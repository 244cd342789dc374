"""Operational reports: templates, data collection, Excel/PDF building by workers, download and list."""

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import (
    routes,  # noqa: E402,F401
    sql,  # noqa: E402,F401  (registers the SQLite date function on every connection)
)


def register(app: Flask) -> None:
    """What the reports area adds to the whole app (called by create_app): the filesize filter and the template registry."""
    from .files import filesize
    from .registry import TEMPLATES

    app.add_template_filter(filesize, "filesize")

    @app.context_processor
    def report_globals():
        """The template registry, for report rows rendered anywhere (reports page, schedule history)."""
        return {"report_templates": TEMPLATES}
