"""The notices page, dismissing a notice, and the unread notices every page shows."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import EVERYONE, role_required
from ..extensions import db
from ..htmx import swap_or_redirect
from ..models import Notice
from ..pagination import paginate
from ..urls import local_url
from . import bp, service

PAGE_SIZE = 25


@bp.route("/")
@role_required(*EVERYONE)
def index():
    """All of the user's notices, newest first (unread ones marked)."""
    page = paginate(service.user_notices(current_user), per_page=PAGE_SIZE)
    return render_template("notices/index.html", page=page)


@bp.post("/<int:notice_id>/dismiss")
@role_required(*EVERYONE)
def dismiss(notice_id: int):
    """Mark one notice read: htmx removes it in place, a plain form goes back to where it was."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    service.dismiss(current_user, notice_id)
    return _back()


@bp.post("/dismiss")
@role_required(*EVERYONE)
def dismiss_all():
    """Mark every notice of the user read."""
    service.dismiss(current_user)
    return _back()


def _back():
    """An empty fragment for htmx (the notice disappears), else a redirect back to the page the form was on."""
    return swap_or_redirect(None, local_url(request.form.get("next"), url_for("notices.index")))


@bp.app_context_processor
def notice_helpers():
    """`unread_notices()` for the banner in base.html (queried only where a page calls it)."""

    def unread_notices():
        """The signed-in user's unread notices and their count."""
        if not current_user.is_authenticated:
            return [], 0
        return service.unread_notices(current_user)

    return {"unread_notices": unread_notices}
