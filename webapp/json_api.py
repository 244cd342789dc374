"""The JSON API's shared helpers (the conventions are described in webapp/api/__init__.py).

A leaf module outside webapp/api/, so API view modules share it without importing each other
or their package.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import jsonify, request

from .pagination import page_headers
from .validation import FieldErrors


def refused(errors: Mapping[str, str], status: int = 422):
    """Refuse the request naming every field: 422 for a body's fields, 400 for query parameters."""
    raise FieldErrors(errors, status)


def json_object(message: str) -> dict:
    """The request's JSON object; anything else (no body, not JSON, a list) is a 400 saying what to send."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        refused({"body": message}, 400)
    return data


def list_response(items: list, facts: Mapping):
    """A JSON list answer with its page facts in the X-Total-Count, X-Page, X-Per-Page and X-Total-Pages headers."""
    response = jsonify(items)
    response.headers.update(page_headers(facts))
    return response
