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

    daily = book.sheet(_("Daily trend"), [14, 12, 12])
    daily.title_block()
    first, last = daily.table(
        [Col(_("Date"), "date"), Col(_("Received"), "int"), Col(_("Resolved"), "int")],
        [(r["day"], r["created"], r["resolved"]) for r in data.sections["daily"]],
    )
    daily.chart(LineChart(), _("SRs per day"), (first, last), (2, 3), "E2", _("SRs"))

    sr_detail_sheet(book, _("SR list"), metrics.iter_created(data.window))
    return book.save()


def figures(data: ReportData) -> dict:
    """Created SRs per service; created and resolved per day."""
    services = [(r["service"], r["created"]) for r in data.sections["services"]]
    daily = data.sections["daily"]
    return {
        "services": charts.bar_chart(
            services,
            title=_("SRs created by service"),
            width=620,
            format_value=charts.grouped_number,
            empty_message=_("No SRs in this period"),
        ),
        "daily": charts.line_chart(
            [d["day"].strftime("%m-%d") for d in daily],
            {_("Received"): [d["created"] for d in daily], _("Resolved"): [d["resolved"] for d in daily]},
            title=_("SRs per day"),
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
