"""The tail every plain (non-htmx) form page shares: save, or show the form again with the refused fields.

On a valid POST `save()` runs the domain function; FieldErrors it raises are rolled back and put next to
the form's fields (422), anything else saved is flashed and redirected to `target`. A GET, or a POST the
form itself refused, renders the page (422 for the refused POST).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request

from .extensions import db
from .validation import FieldErrors, apply_errors


def save_or_show(
    form, save: Callable[[], object], *, message: str | Callable[[object], str], target: str, template: str, **context
):
    """Run `save` for a valid submission and redirect with `message` (or `message(saved)`); else render the form."""
    if form.validate_on_submit():
        try:
            saved = save()
        except FieldErrors as refused:
            db.session.rollback()
            apply_errors(form, refused.errors)
        else:
            flash(message(saved) if callable(message) else message, "success")
            return redirect(target)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
