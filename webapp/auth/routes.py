"""Sign-in and sign-out views."""

from __future__ import annotations

from functools import cache

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db, limiter
from ..models import Tenant, User
from ..models.core import password_hash_method
from ..urls import local_url
from . import bp
from .forms import LoginForm
from .roles import EVERYONE, role_required
from .sessions import current_session, end_session, start_session


@cache
def _dummy_hash(method: str) -> str:
    """A real hash to check against when the user does not exist, so timing does not reveal usernames."""
    return generate_password_hash("not-a-user", method=method)


def _login_key() -> str:
    """Rate-limit failed sign-ins per address and per account."""
    tenant = (request.form.get("tenant") or "").strip().lower()
    username = (request.form.get("username") or "").strip().lower()
    return f"login:{request.remote_addr}:{tenant}:{username}"


def _login_address_key() -> str:
    """Rate-limit failed sign-ins per address across accounts (password spraying)."""
    return f"login-address:{request.remote_addr}"


def _failed_sign_in(response) -> bool:
    """Only failures count against the sign-in limits: a successful sign-in answers a redirect."""
    return response.status_code != 302


def _find_user(tenant_slug: str, username: str) -> User | None:
    """The user with this username in the tenant with this slug."""
    return db.session.scalar(
        select(User).join(Tenant).where(Tenant.slug == tenant_slug.strip().lower(), User.username == username.strip())
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"],
    key_func=_login_address_key,
    methods=["POST"],
    deduct_when=_failed_sign_in,
)
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET" and not form.tenant.data:
        form.tenant.data = request.cookies.get("tenant") or current_app.config["DEFAULT_TENANT_SLUG"]
    if form.validate_on_submit():
        user = _find_user(form.tenant.data, form.username.data)
        password_ok = check_password_hash(user.password_hash if user else _dummy_hash(password_hash_method()), form.password.data)
        if user is not None and password_ok and user.is_active:
            session.clear()  # nothing from before sign-in (CSRF token, ids) carries over into the signed-in session
            start_session(user, remember=form.remember.data)
            login_user(user, remember=form.remember.data)
            record("login", "user", user.id, user=user)
            db.session.commit()
            response = redirect(local_url(request.args.get("next"), url_for("main.index")))
            response.set_cookie("tenant", user.tenant.slug, max_age=365 * 86400, httponly=True, samesite="Lax")
            return response
        form.password.errors.append(_("The institution code, username or password is not correct."))
        return render_template("auth/login.html", form=form), 401
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@role_required(*EVERYONE)
def logout():
    """Sign out: end this browser's session on the server (its copied cookies die too) and return to sign-in."""
    row = current_session()
    if row is not None:
        end_session(row, "sign_out")
        record("logout", "user", current_user.id)
        db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
