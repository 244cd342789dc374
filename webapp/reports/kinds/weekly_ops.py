"""주간 운영 보고서 (weekly_ops): the week's SRs per service, per day, by type and priority, and every SR created."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import charts
from ...models import SR_PRIORITIES, SR_TYPES
from ...service_requests.labels import TYPE_LABELS
from .. import metrics
from ..data import ReportData
from ..periods import WEEKLY
from ..template import ReportTemplate


def collect(data: ReportData) -> None:
    """Per-service breakdown, daily trend, and counts by type and priority."""
    window = data.window
    data.sections["services"] = metrics.per_service(window)
    data.sections["daily"] = metrics.daily_trend(window)
    # A long period's trend is grouped (per week or month); the daily rows stay as the detail.
    grain = metrics.trend_grain(data.start, data.end)
    data.sections["trend_grain"] = grain
    data.sections["trend"] = metrics.group_trend(data.sections["daily"], grain)
    data.sections["by_type"] = metrics.counts_by(window, metrics.SR.type)
    data.sections["by_priority"] = metrics.counts_by(window, metrics.SR.priority)


def build_workbook(data: ReportData) -> bytes:
    """Summary, per-service breakdown (chart), daily trend (chart) and every SR created in the period."""
    from openpyxl.chart import BarChart, LineChart

    from ..workbook import Book, Col, counts_table, sr_detail_sheet, sr_summary_pairs

    book = Book(data)
    summary = book.sheet(_("Summary"), [30, 18, 14])
    summary.title_block()
    summary.key_values(sr_summary_pairs(data.summary, data.resolved_created))
    summary.append([])
    counts_table(summary, _("SRs created by type"), data.sections["by_type"], TYPE_LABELS, SR_TYPES)
    counts_table(summary, _("SRs created by priority"), data.sections["by_priority"], {}, SR_PRIORITIES)

    services = book.sheet(_("By service"), [14, 12, 12, 12, 14, 12])
    services.title_block()
    first, last = services.table(
        [
            Col(_("Service")),
            Col(_("Received"), "int"),
            Col(_("Resolved"), "int"),
            Col(_("Open now"), "int"),
            Col(_("Completion rate"), "percent"),
            Col(_("MTTR (hours)"), "hours"),
        ],
        [
            (r["service"], r["created"], r["resolved"], r["open_now"], r["completion_rate"], r["mttr_hours"])
            for r in data.sections["services"]
        ],
    )
    services.chart(BarChart(), _("SRs by service"), (first, last), (2, 3), "H2", _("SRs"))

    grain = data.sections["trend_grain"]
    if grain != metrics.DAY:  # a long period: the grouped trend with its chart, then every day as detail
        grouped = book.sheet(TREND_TITLES[grain](), [14, 14, 12, 12])
        grouped.title_block()
        first, last = grouped.table(
            [Col(_("Start date"), "date"), Col(_("End date"), "date"), Col(_("Received"), "int"), Col(_("Resolved"), "int")],
            [(r["start"], r["end"], r["created"], r["resolved"]) for r in data.sections["trend"]],
        )
        grouped.chart(LineChart(), CHART_TITLES[grain](), (first, last), (3, 4), "F2", _("SRs"))
    daily = book.sheet(_("Daily trend"), [14, 12, 12])
    daily.title_block()
    first, last = daily.table(
        [Col(_("Date"), "date"), Col(_("Received"), "int"), Col(_("Resolved"), "int")],
        [(r["day"], r["created"], r["resolved"]) for r in data.sections["daily"]],
    )
    if grain == metrics.DAY:
        daily.chart(LineChart(), _("SRs per day"), (first, last), (2, 3), "E2", _("SRs"))

    sr_detail_sheet(book, _("SR list"), metrics.iter_created(data.window))
    return book.save()


TREND_TITLES = {
    metrics.DAY: lambda: _("Daily trend"),
    metrics.WEEK: lambda: _("Weekly trend"),
    metrics.MONTH: lambda: _("Monthly trend"),
}
CHART_TITLES = {
    metrics.DAY: lambda: _("SRs per day"),
    metrics.WEEK: lambda: _("SRs per week"),
    metrics.MONTH: lambda: _("SRs per month"),
}


def trend_label(row: dict, grain: str) -> str:
    """A trend point's axis label: 03-05 for a day or the week's first day, 2026-03 for a month."""
    return row["start"].strftime("%Y-%m") if grain == metrics.MONTH else row["start"].strftime("%m-%d")


def figures(data: ReportData) -> dict:
    """Created SRs per service; created and resolved per day."""
    services = [(r["service"], r["created"]) for r in data.sections["services"]]
    trend, grain = data.sections["trend"], data.sections["trend_grain"]
    return {
        "services": charts.bar_chart(
            services,
            title=_("SRs created by service"),
            width=620,
            format_value=charts.grouped_number,
            empty_message=_("No SRs in this period"),
        ),
        "daily": charts.line_chart(
            [trend_label(row, grain) for row in trend],
            {_("Received"): [r["created"] for r in trend], _("Resolved"): [r["resolved"] for r in trend]},
            title=CHART_TITLES[grain](),
            width=640,
            height=250,
            format_value=charts.grouped_number,
            empty_message=_("No SRs in this period"),
        ),
    }


TEMPLATE = ReportTemplate(
    "weekly_ops",
    "주간 운영 보고서",
    _l("Weekly operations report"),
    WEEKLY,
    ("excel", "pdf"),
    order=10,
    collect=collect,
    workbook=build_workbook,
    figures=figures,
)
