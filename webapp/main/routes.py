"""Start page and language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth.roles import role_required
from ..i18n import LOCALE_COOKIE
from . import bp


@bp.route("/")
@login_required
def index():
    """Send each role to the first page it may use."""
    if current_user.has_role("ADMIN", "PM"):
        return redirect(url_for("main.dashboard"))
    return render_template("main/home.html")


@bp.route("/dashboard")
@role_required("ADMIN", "PM")
def dashboard():
    """The FinOps dashboard of a month (?year=&month=&threshold=); the work is in webapp.analytics.dashboard."""
    from ..analytics.dashboard import render_dashboard

    return render_dashboard()


@bp.route("/lang", methods=["POST"])
def set_language():
    """Remember the chosen language in a cookie for a year and go back."""
    lang = request.form.get("lang", "")
    target = request.form.get("next") or url_for("main.index")
    if urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response
