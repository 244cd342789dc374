"""Refused input, the one way: FieldErrors carries {field: message} from any check to any caller.

A domain `clean_*` function raises FieldErrors (or returns its errors); a page puts the
messages next to the form's fields, and the app's error handler turns an uncaught one into
`{"detail": ..., "errors": {field: message}}` on the API (422 for a body, 400 for a query string).
"""
from __future__ import annotations

from collections.abc import Mapping


class FieldErrors(ValueError):
    """One or more refused fields; `errors` maps each field to a message that names it."""

    status = 422

    def __init__(self, errors: Mapping[str, str], status: int | None = None):
        self.errors = dict(errors)
        if status is not None:
            self.status = status
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """Every message in one line, for clients that read only `detail`."""
        return " ".join(str(message) for message in self.errors.values())


class InvalidParameter(FieldErrors):
    """A single refused parameter (usually a query argument, hence 400); `field` names it."""

    status = 400

    def __init__(self, field: str, message: str, status: int | None = None):
        self.field = field
        self.message = message
        super().__init__({field: message}, status)
