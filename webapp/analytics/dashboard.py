"""The dashboard page (endpoint main.dashboard): every figure of one month plus its SVG charts."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import charts
from ..charts import STATUS_COLOURS
from . import allocation, anomalies, monthly_summary, recommendations, trend
from .labels import category_name
from .periods import InvalidParameter, check_month, check_threshold, check_year, current_month

DEFAULT_THRESHOLD = 30


def _chosen() -> tuple[int, int, object, dict[str, str]]:
    """(year, month, threshold, errors) from the query string; bad values fall back to defaults and are reported."""
    year, month = current_month(current_user.tenant.timezone)
    threshold, errors = DEFAULT_THRESHOLD, {}
    for name in ("year", "month", "threshold"):
        raw = request.args.get(name)
        if not raw:
            continue
        try:
            if name == "year":
                year = check_year(raw)
            elif name == "month":
                month = check_month(raw)
            else:
                threshold = check_threshold(raw)
        except InvalidParameter as error:
            errors[name] = error.message
    return year, month, threshold, errors


def dashboard_charts(summary: dict, months: dict) -> dict:
    """The SVG pictures of the page (also usable in the printed page)."""
    no_data = _("No cost data for this month")
    axis = charts.compact_number if str(get_locale()).startswith("ko") else charts.compact_number_latin
    labels = [row["period"] for row in months["data"]]
    series = {_("Actual cost"): [row["total_amount"] for row in months["data"]]}
    if any(row["budget_amount"] is not None for row in months["data"]):
        series[_("Budget")] = [row["budget_amount"] for row in months["data"]]
    return {
        "trend": charts.line_chart(labels, series, title=_("Monthly IT cost, last 6 months"), colours=(charts.NAVY, "#d08700"),
                                   dashed=(_("Budget"),), format_axis=axis,
                                   width=640, height=260, empty_message=_("No cost data in these months")),
        "categories": charts.bar_chart([(category_name(code), row["amount"]) for code, row in summary["by_category"].items()],
                                       title=_("Cost by category"), width=520,
                                       colour=[_CATEGORY_COLOURS.get(code, charts.NAVY) for code in summary["by_category"]],
                                       empty_message=no_data),
        "services": charts.bar_chart([(code, row["amount"]) for code, row in summary["by_service"].items()],
                                     title=_("Cost by service"), width=520, colour=charts.PALETTE[1], empty_message=no_data),
        "gauge": charts.gauge(summary["budget"]["usage_pct"], status=summary["budget"]["status"],
                              caption=_("of the monthly budget used"), title=_("Budget usage")),
    }


_CATEGORY_COLOURS = {"SERVER": "#003366", "NETWORK": "#2d6cdf", "STORAGE": "#1d9a8a", "LICENSE": "#e0a100",
                     "MAINTENANCE": "#8e5bd1", "PERSONNEL": "#d9534f", "OTHER": "#8a96a3"}


def render_dashboard():
    """Summary, budget gauge, 6-month trend, breakdowns, allocation, anomalies and recommendations of a month."""
    year, month, threshold, errors = _chosen()
    tenant_id = current_user.tenant_id
    summary = monthly_summary(tenant_id, year, month)
    months = trend(tenant_id, months=6, end=(year, month))
    context = {
        "year": year, "month": month, "threshold": threshold, "errors": errors,
        "summary": summary, "trend": months,
        "allocation": allocation(tenant_id, year, month),
        "anomalies": anomalies(tenant_id, year, month, threshold),
        "recommendations": recommendations(tenant_id, year, month),
        "charts": dashboard_charts(summary, months),
        "status_colours": STATUS_COLOURS,
    }
    return render_template("main/dashboard.html", **context), 422 if errors else 200
