"""Create, list and revoke one's own API tokens."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..models import ApiToken, utcnow
from . import bp


def _own_token_or_404(token_id: int) -> ApiToken:
    """A token of the signed-in user; anyone else's is a 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.tenant_id != current_user.tenant_id:
        abort(404)
    return token


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List the user's API tokens and issue a new one (shown once)."""
    new_token = None
    errors = {}
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        if not name or len(name) > 100:
            errors["name"] = _("Name: enter 1 to 100 characters.")
        else:
            token, new_token = ApiToken.issue(current_user, name)
            db.session.flush()
            record("create", "api_token", token.id, name=name)
            db.session.commit()
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    status = 422 if errors else 200
    return render_template("account/tokens.html", tokens=rows, new_token=new_token, errors=errors), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens; it stops working at once."""
    token = _own_token_or_404(token_id)
    if not token.is_revoked:
        token.revoked_at = utcnow()
        record("revoke", "api_token", token.id)
        db.session.commit()
    flash(_("The token was revoked."), "info")
    return redirect(url_for("account.tokens"))
