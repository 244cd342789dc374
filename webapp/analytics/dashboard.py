"""The SVG charts of the dashboard page, drawn from the month's summary and trend."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from .. import charts
from ..labels import category_colour, category_name

TREND_MONTHS = 6  # the dashboard's trend by default: this month and the five before it
TREND_CHOICES = (6, 12, 24)  # the trend lengths the dashboard offers (?months=)


def dashboard_charts(summary: dict, months: dict, month_links: list[str] | None = None) -> dict:
    """Trend line (with the budget where set; each month a link when `month_links` are given), bars and the gauge."""
    no_data = _("No cost data for this month")
    axis = charts.compact_number if str(get_locale()).startswith("ko") else charts.compact_number_latin
    labels = [row["period"] for row in months["data"]]
    series = {_("Actual cost"): [row["total_amount"] for row in months["data"]]}
    if any(row["budget_amount"] is not None for row in months["data"]):
        series[_("Budget")] = [row["budget_amount"] for row in months["data"]]
    return {
        "trend": charts.line_chart(
            labels,
            series,
            title=_("Monthly IT cost, last %(count)s months", count=months["months"]),
            colours=(charts.NAVY, "#d08700"),
            dashed=(_("Budget"),),
            format_axis=axis,
            width=640,
            height=260,
            empty_message=_("No cost data in these months"),
            links=month_links,
        ),
        "categories": charts.bar_chart(
            [(category_name(code), row["amount"]) for code, row in summary["by_category"].items()],
            title=_("Cost by category"),
            width=520,
            colour=[category_colour(code, charts.NAVY) for code in summary["by_category"]],
            empty_message=no_data,
        ),
        "services": charts.bar_chart(
            [(code, row["amount"]) for code, row in summary["by_service"].items()],
            title=_("Cost by service"),
            width=520,
            colour=charts.PALETTE[1],
            empty_message=no_data,
        ),
        "gauge": charts.gauge(
            summary["budget"]["usage_pct"],
            status=summary["budget"]["status"],
            caption=_("of the monthly budget used"),
            title=_("Budget usage"),
        ),
    }
