"""Start page, the FinOps dashboard and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import analytics
from ..advice.service import advice_inputs, advice_view, current_advice, request_advice
from ..analytics.charges import ChargeBreakdown
from ..analytics.dashboard import TREND_CHOICES, TREND_MONTHS, dashboard_charts, recommendation_drills
from ..analytics.periods import check_threshold
from ..auth.roles import EVERYONE, FINOPS, role_required, tenant_get_or_404
from ..budgets.alerts import year_alerts
from ..htmx import is_fragment
from ..i18n import LOCALE_COOKIE
from ..models import CostAdvice
from ..month_picker import month_picker
from ..urls import local_url
from . import bp


@bp.route("/")
@role_required(*EVERYONE)
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
    trend_months = TREND_MONTHS
    if request.args.get("months"):
        raw = str(request.args["months"]).strip()
        if raw in {str(choice) for choice in TREND_CHOICES}:
            trend_months = int(raw)
        else:
            choices = ", ".join(str(choice) for choice in TREND_CHOICES)
            errors["months"] = _("Trend length: choose %(choices)s months.", choices=choices)
    tenant_id = current_user.tenant_id
    this_month = analytics.current_month(current_user.tenant.timezone)
    future = (year, month) > this_month
    keep = {"months": trend_months} if trend_months != TREND_MONTHS else {}
    summary = analytics.monthly_summary(tenant_id, year, month)
    months = analytics.trend(tenant_id, months=trend_months, end=(year, month))
    anomalies = analytics.baseline_anomalies(tenant_id, year, month, threshold)
    if future:  # a month that has not happened has no costs yet: nothing in it is an anomaly
        anomalies = {**anomalies, "anomalies": [], "anomaly_count": 0}
    recommendations = analytics.recommendations(tenant_id, year, month)
    month_links = [
        url_for("main.dashboard", year=row["year"], month=row["month"], **keep)
        if (row["year"], row["month"]) <= this_month
        else None
        for row in months["data"]
    ]
    page = render_template(
        "main/dashboard.html",
        year=year,
        month=month,
        picker=month_picker("main.dashboard", year, month, latest=this_month, **keep),
        future=future,
        trend_months=trend_months,
        trend_choices=TREND_CHOICES,
        keep=keep,
        errors=errors,
        summary=summary,
        breakdown=ChargeBreakdown.of_summary(summary),
        trend=months,
        allocation=analytics.allocation(tenant_id, year, month),
        anomalies=anomalies,
        recommendations=recommendations,
        drills=recommendation_drills(recommendations, summary),
        charts=dashboard_charts(summary, months, month_links),
        advice=_month_advice(
            year, month, summary, recommendations, anomalies if threshold == analytics.DEFAULT_THRESHOLD else None
        ),
        budget_alerts=year_alerts(tenant_id, year, month),
    )
    return page, 422 if errors else 200


def _month_advice(year: int, month: int, summary: dict, recommendations: dict, anomalies: dict | None) -> dict:
    """The month's AI analysis over its current figures, if one was asked for (nothing is started here)."""
    tenant = current_user.tenant
    inputs = advice_inputs(tenant, year, month, summary=summary, anomalies=anomalies, recommendations=recommendations)
    row = current_advice(tenant.id, year, month, inputs.fingerprint)
    return advice_view(row, tenant, cached=True, inputs=inputs)


def _advice_fragment(view: dict, year: int, month: int, errors: dict | None = None, status: int = 200):
    """The AI block alone (htmx), or back to the dashboard's block for a plain form post."""
    if is_fragment():
        return render_template("main/_advice.html", advice=view, year=year, month=month, advice_errors=errors or {}), status
    return redirect(url_for("main.dashboard", year=year, month=month, _anchor="advice"))


@bp.route("/dashboard/advice", methods=["POST"])
@role_required(*FINOPS)
def ask_advice():
    """Start the month's AI analysis in the background (or reuse the one over the same figures); never waits."""
    year, month, errors = analytics.month_from_args(request.form, current_user.tenant.timezone)
    if errors:
        return _advice_fragment(advice_view(None, current_user.tenant), year, month, errors, 422)
    row, cached = request_advice(current_user.tenant, year, month, user=current_user, force=request.form.get("force") == "1")
    return _advice_fragment(advice_view(row, current_user.tenant, cached=cached), year, month)


@bp.route("/dashboard/advice/<int:advice_id>")
@role_required(*FINOPS)
def advice_status(advice_id: int):
    """One analysis: the block polls this while the job runs and is replaced by the answer."""
    row = tenant_get_or_404(CostAdvice, advice_id)
    return _advice_fragment(advice_view(row, current_user.tenant), row.year, row.month)


@bp.route("/lang", methods=["POST"])
def set_language():
    """Remember the chosen language in a cookie for a year and go back."""
    lang = request.form.get("lang", "")
    response = redirect(local_url(request.form.get("next"), url_for("main.index")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response
