"""The SVG charts of the dashboard page, drawn from the month's summary and trend."""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import charts
from ..labels import category_colour, category_name

TREND_MONTHS = 6  # the dashboard's trend by default: this month and the five before it
TREND_CHOICES = (6, 12, 24)  # the trend lengths the dashboard offers (?months=)


def cost_list_url(year: int, month: int, **only) -> str:
    """The cost list filtered to exactly the rows behind one dashboard figure (service, category or server)."""
    return url_for("costs.index", year=year, month=month, **{name: value for name, value in only.items() if value is not None})


def recommendation_drills(recommendations: dict, summary: dict) -> list[dict | None]:
    """Per recommendation, the cost it looks at and the link to its rows ({"url", "amount"}), or None (NORMAL).

    Licence and maintenance reviews look at that category's month, a spike at the service's month, an idle
    server at the server's costs of the month (its saving is the whole of that cost).
    """
    year, month = summary["year"], summary["month"]
    drills: list[dict | None] = []
    for row in recommendations["recommendations"]:
        kind = row["type"]
        if kind in ("LICENSE_REVIEW", "MAINTENANCE_REVIEW"):
            amount = summary["by_category"].get(row["category"], {}).get("amount", Decimal("0.00"))
            drills.append({"url": cost_list_url(year, month, category=row["category"]), "amount": amount})
        elif kind == "COST_SPIKE":
            amount = summary["by_service"].get(row["service"], {}).get("amount", Decimal("0.00"))
            drills.append({"url": cost_list_url(year, month, service=row["service"]), "amount": amount})
        elif kind == "IDLE_SERVER":
            drills.append({"url": cost_list_url(year, month, server=row["server_id"]), "amount": row["estimated_saving"]})
        else:
            drills.append(None)
    return drills


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
            links=[cost_list_url(summary["year"], summary["month"], category=code) for code in summary["by_category"]],
        ),
        "services": charts.bar_chart(
            [(code, row["amount"]) for code, row in summary["by_service"].items()],
            title=_("Cost by service"),
            width=520,
            colour=charts.PALETTE[1],
            empty_message=no_data,
            links=[cost_list_url(summary["year"], summary["month"], service=code) for code in summary["by_service"]],
        ),
        "gauge": charts.gauge(
            summary["budget"]["usage_pct"],
            status=summary["budget"]["status"],
            caption=_("of the monthly budget used"),
            title=_("Budget usage"),
        ),
    }
