"""월간 IT 비용 보고서 (monthly_cost): SPEC §3 for one month, from the analytics functions of the FinOps area."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import charts
from ...analytics import allocation, baseline_anomalies, budget_overview, monthly_summary, recommendations, trend
from ...analytics.charges import ChargeBreakdown
from ...analytics.labels import category_name, label_functions
from ...auth.roles import FINOPS
from ...extensions import db
from ...models import CATEGORIES, CostEntry, Server
from ..data import ReportData
from ..periods import MONTHLY
from ..template import ReportTemplate

TREND_MONTHS = 6
PDF_ITEM_ROWS = 500


def cost_sections(tenant, year: int, month: int) -> dict:
    """Summary, budgets, trend, allocation, anomalies and recommendations of the month, plus its item count by size."""
    tenant_id = tenant.id
    budgets = budget_overview(tenant_id, year, month)
    anomalies = baseline_anomalies(tenant_id, year, month)
    summary = monthly_summary(tenant_id, year, month)
    return {
        "year": year,
        "month": month,
        "period_label": f"{year:04d}-{month:02d}",
        "summary": summary,
        "charges": ChargeBreakdown.of_summary(summary),  # charges, credits, adjustments, tax of the net total
        "budget": budgets["rows"][0],
        "budgets": budgets,
        "trend": trend(tenant_id, months=TREND_MONTHS, end=(year, month)),
        "allocation": allocation(tenant_id, year, month),
        "anomalies": anomalies,
        "anomaly_method": baseline_method_text(anomalies),
        "recommendations": recommendations(tenant_id, year, month),
        "items": top_items(tenant_id, year, month, PDF_ITEM_ROWS),
    }


def collect(data: ReportData) -> None:
    """Section 3 of the SPEC for the month of the period end (summary, budget, trend, allocation, anomalies, recommendations)."""
    data.sections.update(cost_sections(data.tenant, data.end.year, data.end.month))
    data.summary = cost_highlights(data.sections)


def item_query(tenant_id: int, year: int, month: int):
    """The month's cost entries, largest first, with the server name."""
    return (
        select(
            CostEntry.code,
            CostEntry.category,
            CostEntry.service,
            CostEntry.amount,
            CostEntry.description,
            Server.name.label("server"),
            CostEntry.department,
            CostEntry.created_at,
        )
        .outerjoin(Server, Server.id == CostEntry.server_id)
        .where(CostEntry.tenant_id == tenant_id, CostEntry.year == year, CostEntry.month == month)
        .order_by(CostEntry.amount.desc(), CostEntry.code)
    )


def top_items(tenant_id: int, year: int, month: int, limit: int) -> list:
    """The largest cost entries of the month (the PDF lists at most `limit`)."""
    return db.session.execute(item_query(tenant_id, year, month).limit(limit)).all()


def cost_highlights(sections: dict) -> dict:
    """The figures stored as data_summary."""
    summary, budget = sections["summary"], sections["budget"]
    return {
        "year": sections["year"],
        "month": sections["month"],
        "total_amount": summary["total_amount"],
        "item_count": summary["item_count"],
        "mom_change_pct": summary["mom_change_pct"],
        "budget": budget["budget"],
        "budget_usage_pct": budget["usage_pct"],
        "budget_status": budget["status"],
        "anomaly_count": sections["anomalies"]["anomaly_count"],
        "total_potential_saving": sections["recommendations"]["total_potential_saving"],
    }


def figures(data: ReportData) -> dict:
    """SVG charts of the cost report: budget gauge, categories, services, six-month trend."""
    sections = data.sections
    summary, budget = sections["summary"], sections["budget"]
    months = sections["trend"]["data"]
    return {
        "gauge": charts.gauge(budget["usage_pct"], status=budget["status"], caption=_("Budget usage"), width=230),
        "categories": charts.bar_chart(
            [(category_name(code), row["amount"]) for code, row in summary["by_category"].items()],
            title=_("Cost by category"),
            width=600,
            empty_message=_("No cost data for this month"),
        ),
        "services": charts.bar_chart(
            [(code, row["amount"]) for code, row in summary["by_service"].items()],
            title=_("Cost by service"),
            width=600,
            empty_message=_("No cost data for this month"),
        ),
        "trend": charts.line_chart(
            [m["period"] for m in months],
            {_("Total IT cost"): [m["total_amount"] for m in months]},
            title=_("Monthly IT cost, last 6 months"),
            width=640,
            height=240,
            empty_message=_("No cost data in these months"),
        ),
    }


def baseline_method_text(anomalies: dict) -> str:
    """How the anomalies were found, in words (the report states its method next to the figures)."""
    return _(
        "Each service is compared with its usual level: the median of %(start)s – %(end)s (months without cost "
        "count as zero from its first cost on). It is flagged when it is at least %(t)s%% away from that level and "
        "outside the median ± %(k)s × the robust spread (median absolute deviation × 1.4826); a cost appearing "
        "where the usual level is zero is New. The contributions of the categories add up to the impact.",
        start=anomalies["baseline_start"],
        end=anomalies["baseline_end"],
        t=anomalies["threshold_pct"],
        k=anomalies["band_width"],
    )


def build_workbook(data: ReportData) -> bytes:
    """Summary with budget, categories, allocation per service, trend, anomalies, recommendations and the cost items."""
    from openpyxl.chart import BarChart, LineChart

    from ..workbook import Book, Col

    book = Book(data)
    sections = data.sections
    summary, budget = sections["summary"], sections["budget"]
    names = label_functions()

    sheet = book.sheet(_("Summary"), [30, 20, 12, 12])
    sheet.title_block()
    charges = sections["charges"]
    parts = [(names["charge_line_name"](key), amount, "money") for key, amount in charges.lines()] if charges.shown else []
    sheet.key_values(
        [
            (_("Total IT cost"), summary["total_amount"], "money"),
            *parts,
            (_("Change on the previous month"), summary["mom_change_pct"], "percent"),
            (_("Budget"), budget["budget"], "money"),
            (_("Budget usage"), budget["usage_pct"], "percent"),
            (_("Budget status"), names["status_name"](budget["status"]), "text"),
            (_("Remaining budget"), budget["remaining"], "money"),
            (_("Cost items"), summary["item_count"], "int"),
            (_("Anomalies"), sections["anomalies"]["anomaly_count"], "int"),
            (_("Total potential saving"), sections["recommendations"]["total_potential_saving"], "money"),
        ]
    )
    sheet.append([])
    sheet.heading(_("Cost by category"))
    first, last = sheet.table(
        [Col(_("Category")), Col(_("Amount"), "money"), Col(_("Share"), "percent"), Col(_("Items"), "int")],
        [(category_name(code), row["amount"], row["pct"], row["item_count"]) for code, row in summary["by_category"].items()],
    )
    if last > first:
        sheet.chart(BarChart(), _("Cost by category"), (first, last), (2, 2), "F2")

    budgets = book.sheet(_("Budgets"), [22, 16, 16, 16, 12, 14, 16, 10])
    budgets.title_block()
    budgets.table(
        [
            Col(_("Scope")),
            Col(_("Budget"), "money"),
            Col(_("Actual"), "money"),
            Col(_("Variance"), "money"),
            Col(_("Usage"), "percent"),
            Col(_("Status")),
            Col(_("Remaining"), "money"),
            Col(_("Items"), "int"),
        ],
        [
            (
                _("All services") if r["service"] == "ALL" else r["service"],
                r["budget"],
                r["actual"],
                r["variance"],
                r["usage_pct"],
                names["status_name"](r["status"]),
                r["remaining"],
                r["item_count"],
            )
            for r in sections["budgets"]["rows"]
        ],
    )

    allocation_rows = sections["allocation"]["allocation"]
    alloc = book.sheet(_("Allocation by service"), [14, 16, 10, 10] + [14] * len(CATEGORIES))
    alloc.title_block()
    first, last = alloc.table(
        [Col(_("Service")), Col(_("Amount"), "money"), Col(_("Share"), "percent"), Col(_("Items"), "int")]
        + [Col(category_name(code), "money") for code in CATEGORIES],
        [
            (service, row["amount"], row["pct"], row["item_count"], *[row["by_category"][code] for code in CATEGORIES])
            for service, row in allocation_rows.items()
        ],
    )
    alloc.chart(BarChart(), _("Cost by service"), (first, last), (2, 2), f"A{last + 3}")

    months = book.sheet(_("Monthly trend"), [12, 18, 10])
    months.title_block()
    first, last = months.table(
        [Col(_("Month")), Col(_("Total IT cost"), "money"), Col(_("Items"), "int")],
        [(m["period"], m["total_amount"], m["item_count"]) for m in sections["trend"]["data"]],
    )
    months.chart(LineChart(), _("Monthly IT cost, last 6 months"), (first, last), (2, 2), "E2")

    found = book.sheet(_("Anomalies"), [12, 16, 16, 16, 10, 16, 16, 10, 10, 44])
    found.title_block()
    found.table(
        [
            Col(_("Service")),
            Col(_("This month"), "money"),
            Col(_("Expected (median)"), "money"),
            Col(_("Impact"), "money"),
            Col(_("Change %"), "percent"),
            Col(_("Usual range from"), "money"),
            Col(_("Usual range to"), "money"),
            Col(_("Direction")),
            Col(_("Severity")),
            Col(_("Categories that drove the change")),
        ],
        [
            (
                a["service"],
                a["curr_amount"],
                a["expected_amount"],
                a["impact_amount"],
                a["change_pct"],
                a["band_low"],
                a["band_high"],
                names["direction_name"](a["direction"]),
                names["severity_name"](a["severity"]),
                ", ".join(f"{category_name(c['category'])} {c['impact_amount']:+,.0f}" for c in a["contributors"]),
            )
            for a in sections["anomalies"]["anomalies"]
        ],
    )
    found.append([])
    found.append([found.text(sections["anomaly_method"])])

    advice = book.sheet(_("Saving recommendations"), [18, 10, 16, 90])
    advice.title_block()
    advice.table(
        [Col(_("Recommendation")), Col(_("Severity")), Col(_("Potential saving"), "money"), Col(_("Message"))],
        [
            (names["recommendation_name"](r["type"]), names["severity_name"](r["severity"]), r["estimated_saving"], r["message"])
            for r in sections["recommendations"]["recommendations"]
        ],
    )

    items = book.sheet(_("Cost items"), [24, 18, 12, 16, 44, 16, 12, 17])
    items.ws.freeze_panes = "A2"
    items.table(
        [
            Col(_("Code")),
            Col(_("Category")),
            Col(_("Service")),
            Col(_("Amount"), "money"),
            Col(_("Description")),
            Col(_("Server")),
            Col(_("Department")),
            Col(_("Registered at"), "datetime"),
        ],
        (
            (r.code, category_name(r.category), r.service, r.amount, r.description or None, r.server, r.department, r.created_at)
            for r in db.session.execute(
                item_query(data.tenant.id, sections["year"], sections["month"]).execution_options(yield_per=2000)
            )
        ),
    )
    return book.save()


TEMPLATE = ReportTemplate(
    "monthly_cost",
    "월간 IT 비용 보고서",
    _l("Monthly IT cost report"),
    MONTHLY,
    ("excel", "pdf"),
    sr_based=False,
    roles=FINOPS,
    order=50,
    collect=collect,
    workbook=build_workbook,
    figures=figures,
)
