"""One error policy for every route: JSON `{"detail", "errors"?}` under /api/, a friendly page elsewhere.

- An HTTP error keeps the description it was raised with (`abort(403, description=...)`); without
  one, the status's standard message in the user's language is shown.
- FieldErrors that nobody caught answers 422 (or its own status) naming each field.
- A write to a row that another request deleted meanwhile (StaleDataError, ObjectDeletedError)
  answers 404, for every entity at once: no model has a version column, so the only way an
  UPDATE or DELETE by primary key matches no row here is that the row is gone.
- QueueUnavailable (Redis down while queueing) answers 503 with "the job queue cannot be reached";
  the domain function that raised it has already withdrawn what it stored.
- Anything unexpected is logged and answers 500 — as JSON under /api/, never an HTML crash page there.
- Every error first rolls the request's database session back: nothing half-written is kept, and
  the error page can still read the signed-in user after a failed flush.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .jobs import QueueUnavailable
from .validation import FieldErrors

log = logging.getLogger(__name__)

QUEUE_RETRY_AFTER_SECONDS = 30  # a restarted Redis is usually back well within this

STANDARD_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Authentication required."),
    403: lambda: _("You do not have permission for this action."),
    404: lambda: _("The page or item was not found."),
    405: lambda: _("This method is not allowed here."),
    413: lambda: _("The upload is too large."),
    429: lambda: _("Too many attempts. Please wait a while and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
    503: lambda: _("A service the app needs is unavailable. Please try again in a moment."),
}


def wants_json() -> bool:
    """True for the JSON API."""
    return request.path.startswith("/api/")


def error_response(status: int, detail: str | None = None, errors: dict | None = None, **extra):
    """The error for the kind of client that asked: JSON for /api/ (`extra` keys added), the error page for people."""
    discard_unsaved_changes()
    detail = detail or (STANDARD_MESSAGES[status]() if status in STANDARD_MESSAGES else _("The request could not be completed."))
    if wants_json():
        payload = {"detail": detail}
        if errors:
            payload["errors"] = errors
        payload.update(extra)
        return make_response(jsonify(payload), status)
    return make_response(render_template("errors/error.html", status=status, detail=detail, errors=errors or {}), status)


def discard_unsaved_changes() -> None:
    """Roll the request's session back before answering an error; never fail the error page for it.

    Uncommitted changes would be dropped at the end of the request anyway; rolling back first
    also makes the session usable again after a failed flush, so the error page can still load
    the signed-in user (without it a database error became a crash inside the error handler).
    """
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 — the database may be the thing that failed
        log.warning("rollback before the error response failed", exc_info=True)


def last_resort_response(status: int = 500):
    """When even the error page fails (database down while rendering it): a fixed text, no template, no database."""
    # Babel is not used here on purpose: choosing the language reads the signed-in user from the database.
    message = "서버에서 문제가 발생했습니다. 잠시 후 다시 시도하세요. / Something went wrong on our side. Please try again later."
    if wants_json():
        return make_response(jsonify(detail=message), status)
    return make_response(message, status, {"Content-Type": "text/plain; charset=utf-8"})


def _own_description(error: HTTPException) -> str | None:
    """The description the code raised with, or None when it is Werkzeug's standard English text."""
    if error.code == 429:  # the limiter puts its limit ("5 per 15 minutes") there; people get our sentence
        return None
    if error.description and error.description != type(error).description:
        return str(error.description)
    return None


def register_errorhandlers(app: Flask) -> None:
    """Install the policy on the app."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """abort(), routing errors and extensions' HTTP errors."""
        if error.code is None or error.code < 400:
            return error
        if isinstance(error, InternalServerError) and error.original_exception is not None:
            return unexpected_error(error.original_exception)
        response = error_response(error.code, _own_description(error))
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """A missing or wrong CSRF token is a 400 with a clear reason."""
        return error_response(400, _("The form has expired or is missing its security token. Reload the page and try again."))

    @app.errorhandler(FieldErrors)
    def field_errors(error: FieldErrors):
        """Refused input that the view did not put on a form itself."""
        return error_response(error.status, error.detail, error.errors)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(ObjectDeletedError)
    def row_gone(error: Exception):
        """The row this request was changing was deleted by another request in the meantime."""
        log.info("%s %s: the row was deleted meanwhile (%s)", request.method, request.path, error)
        return error_response(404, _("The item was deleted in the meantime (by another request)."))

    @app.errorhandler(QueueUnavailable)
    def queue_unavailable(error: QueueUnavailable):
        """Work could not be queued: a clear 503 the client may retry, not a crash page."""
        log.warning("%s %s: the job queue is unreachable: %s", request.method, request.path, error)
        response = error_response(503, error.message)
        response.headers["Retry-After"] = str(QUEUE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        """A bug or an outage: log it whole, show a calm message."""
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
        try:
            return error_response(500)
        except Exception:  # noqa: BLE001 — e.g. the database went away and the page cannot read the user
            log.exception("the error response for %s %s failed too", request.method, request.path)
            return last_resort_response(500)
