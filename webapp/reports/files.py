"""Serving a stored report file: the one download response used by the report page, the API and signed links."""

from __future__ import annotations

from flask import Response, abort
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Report
from .render import ascii_file_name, content_disposition


def not_ready_message(report: Report) -> str:
    """Why a report cannot be downloaded yet."""
    return _("The report is not ready (status %(status)s).", status=report.status)


def stored_file_response(report: Report) -> Response:
    """Serve a DONE report's stored bytes with the right content type and a Korean-safe file name."""
    content = db.session.scalar(select(Report.content).where(Report.id == report.id))
    if content is None:
        abort(404)
    fallback = ascii_file_name(report.template, report.period_start, report.period_end, report.format)
    response = Response(content, mimetype=report.content_type)
    response.headers["Content-Disposition"] = content_disposition(report.file_name or fallback, fallback)
    response.headers["Content-Length"] = str(len(content))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(report.sha256 or "")
    return response


def filesize(size: int | None) -> str:
    """1536 → '1.5 KB' (the `filesize` template filter)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} MB"
