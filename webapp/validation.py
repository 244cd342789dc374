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


def apply_errors(form, errors: Mapping[str, str]) -> None:
    """Put each refused field's message next to the form's field of that name (others above the form)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def check_email(field: str, raw) -> str:
    """A syntactically valid e-mail address (no DNS lookup), normalised; FieldErrors naming `field` otherwise."""
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import gettext as _

    text = raw.strip() if isinstance(raw, str) else ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldErrors({field: _("%(field)s: enter a valid e-mail address such as name@example.go.kr.",
                                    field=field)}) from None
