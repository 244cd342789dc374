"""The account page (password, sessions, sign out everywhere) and one's own API tokens."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from ..auth.roles import EVERYONE, role_required
from ..auth.sessions import current_session, describe_device, live_sessions, own_session_or_none
from ..extensions import db, limiter
from ..models import ApiToken
from ..validation import FieldErrors, apply_errors
from . import bp
from .forms import ChangePasswordForm
from .service import change_own_password, end_own_session, issue_token, sign_out_everywhere
from .service import revoke_token as revoke_token_of


def _render_account(form: ChangePasswordForm, status: int = 200):
    """The account page with the password form as given."""
    this_session = current_session()
    sessions = sorted(live_sessions(current_user), key=lambda row: this_session is None or row.id != this_session.id)
    return render_template(
        "account/index.html",
        form=form,
        sessions=sessions,
        this_session=this_session,
        devices={row.id: describe_device(row.user_agent) for row in sessions},
    ), status


@bp.route("/")
@role_required(*EVERYONE)
def index():
    """Who I am, a password change form and the browsers where I am signed in."""
    return _render_account(ChangePasswordForm())


def _password_key() -> str:
    """Wrong current passwords are limited per account, as sign-ins are."""
    return f"password-change:{current_user.id}"


@bp.route("/password", methods=["POST"])
@role_required(*EVERYONE)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_password_key,
    deduct_when=lambda _response: g.get("wrong_current_password", False),
)
def change_password():
    """Change one's own password: every other session ends, this one stays signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = change_own_password(current_user, form.current_password.data, form.new_password.data, current_session())
        except FieldErrors as refused:
            # only guesses count against the limit, not typos in the new one
            g.wrong_current_password = "current_password" in refused.errors
            apply_errors(form, refused.errors)
        else:
            flash(_("Your password was changed. Other sessions signed out: %(count)s.", count=ended), "success")
            return redirect(url_for("account.index"))
    return _render_account(form, 422)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@role_required(*EVERYONE)
def end_session(session_id: int):
    """Sign out one browser or device of one's own (another user's session is a 404)."""
    row = own_session_or_none(current_user, session_id)
    if row is None:
        abort(404)
    this_one = current_session() is not None and row.id == current_session().id
    end_own_session(current_user, row)
    if this_one:
        logout_user()
        return redirect(url_for("auth.login"))
    flash(_("That session was signed out."), "info")
    return redirect(url_for("account.index"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@role_required(*EVERYONE)
def sign_out_all():
    """End every session of the user, this one included, and return to sign-in."""
    ended = sign_out_everywhere(current_user)
    logout_user()
    flash(_("You were signed out everywhere (%(count)s sessions).", count=ended), "info")
    return redirect(url_for("auth.login"))


def _own_token_or_404(token_id: int) -> ApiToken:
    """A token of the signed-in user; anyone else's is a 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.tenant_id != current_user.tenant_id:
        abort(404)
    return token


@bp.route("/tokens", methods=["GET", "POST"])
@role_required(*EVERYONE)
def tokens():
    """List the user's API tokens and issue a new one (shown once)."""
    new_token = None
    errors = {}
    if request.method == "POST":
        try:
            _token, new_token = issue_token(current_user, request.form.get("name"))
        except FieldErrors as refused:
            errors = refused.errors
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    status = 422 if errors else 200
    return render_template("account/tokens.html", tokens=rows, new_token=new_token, errors=errors), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(*EVERYONE)
def revoke_token(token_id: int):
    """Revoke one of the user's tokens; it stops working at once."""
    revoke_token_of(current_user, _own_token_or_404(token_id))
    flash(_("The token was revoked."), "info")
    return redirect(url_for("account.tokens"))
