"""Start page, the FinOps dashboard and the language switch."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import analytics
from ..analytics.dashboard import dashboard_charts
from ..analytics.periods import check_threshold
from ..auth.roles import FINOPS, role_required
from ..i18n import LOCALE_COOKIE
from ..urls import local_url
from . import bp

DASHBOARD_TREND_MONTHS = 6


@bp.route("/")
@login_required
def index():
    """Send each role to the first page it may use."""
    if current_user.has_role(*FINOPS):
        return redirect(url_for("main.dashboard"))
    return render_template("main/home.html")


@bp.route("/dashboard")
@role_required(*FINOPS)
def dashboard():
    """Every figure of a month (?year=&month=&threshold=); a bad value falls back to its default and is shown (422)."""
    year, month, errors = analytics.month_from_args(request.args, current_user.tenant.timezone)
    threshold = analytics.DEFAULT_THRESHOLD
    if request.args.get("threshold"):
        try:
            threshold = check_threshold(request.args["threshold"])
        except analytics.InvalidParameter as error:
            errors["threshold"] = error.message
    tenant_id = current_user.tenant_id
    summary = analytics.monthly_summary(tenant_id, year, month)
    months = analytics.trend(tenant_id, months=DASHBOARD_TREND_MONTHS, end=(year, month))
    page = render_template(
        "main/dashboard.html", year=year, month=month, errors=errors, summary=summary, trend=months,
        allocation=analytics.allocation(tenant_id, year, month),
        anomalies=analytics.anomalies(tenant_id, year, month, threshold),
        recommendations=analytics.recommendations(tenant_id, year, month),
        charts=dashboard_charts(summary, months),
    )
    return page, 422 if errors else 200


@bp.route("/lang", methods=["POST"])
def set_language():
    """Remember the chosen language in a cookie for a year and go back."""
    lang = request.form.get("lang", "")
    response = redirect(local_url(request.form.get("next"), url_for("main.index")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response
