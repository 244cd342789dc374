"""월간 SLA 보고서 (monthly_sla): SLA compliance per priority, and the breaches (all in Excel, the worst in the PDF)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import charts
from ...service_requests.labels import STATUS_LABELS, TYPE_LABELS
from .. import metrics
from ..data import ReportData
from ..pdf import pct
from ..periods import MONTHLY
from ..template import ReportTemplate

PDF_BREACH_ROWS = 40
NO_DATA = "—"  # a priority with nothing resolved in the period has no compliance (not 0 %)


def collect(data: ReportData) -> None:
    """SLA compliance per priority and the breaches (all in Excel, the worst in the PDF)."""
    rows = metrics.sla_by_priority(data.window)
    totals = metrics.sla_totals(rows)
    data.sections["sla"] = rows
    data.sections["sla_totals"] = totals
    data.sections["breach_count"] = metrics.count_breaches(data.window)
    data.sections["top_breaches"] = list(metrics.iter_breaches(data.window, limit=PDF_BREACH_ROWS))
    data.highlights = {"sla_compliance": totals["compliance"], "sla_breaches": data.sections["breach_count"]}


def build_workbook(data: ReportData) -> bytes:
    """Summary, SLA compliance per priority (chart) and every breach."""
    from openpyxl.chart import BarChart
    from openpyxl.styles import Font

    from ..workbook import Book, Col, sr_summary_pairs

    book = Book(data)
    totals = data.sections["sla_totals"]
    summary = book.sheet(_("Summary"), [34, 18])
    summary.title_block()
    summary.key_values(
        sr_summary_pairs(data.summary, data.resolved_created)
        + [
            (_("SLA compliance"), totals["compliance"], "percent")
            if totals["compliance"] is not None
            else (_("SLA compliance"), NO_DATA, "text"),
            (_("Resolved within target"), totals["met"], "int"),
            (_("Resolved late (breaches)"), totals["breached"], "int"),
            (_("Open and already overdue"), totals["open_overdue"], "int"),
        ]
    )

    sla = book.sheet(_("SLA by priority"), [10, 12, 12, 12, 12, 14, 14, 14])
    sla.title_block()
    first, last = sla.table(
        [
            Col(_("Priority")),
            Col(_("Target (hours)"), "int"),
            Col(_("Resolved"), "int"),
            Col(_("Within target"), "int"),
            Col(_("Breached"), "int"),
            Col(_("Compliance"), "percent"),
            Col(_("Mean hours"), "hours"),
            Col(_("Open overdue"), "int"),
        ],
        [
            (
                r["priority"],
                r["target_hours"],
                r["resolved"],
                r["met"],
                r["breached"],
                NO_DATA if r["compliance"] is None else r["compliance"],
                NO_DATA if r["mean_hours"] is None else r["mean_hours"],
                r["open_overdue"],
            )
            for r in data.sections["sla"]
        ],
    )
    sla.append(
        [
            sla.text(_("Total"), Font(bold=True)),
            None,
            sla.cell(totals["resolved"], "int"),
            sla.cell(totals["met"], "int"),
            sla.cell(totals["breached"], "int"),
            sla.cell(totals["compliance"], "percent") if totals["compliance"] is not None else NO_DATA,
            None,
            sla.cell(totals["open_overdue"], "int"),
        ]
    )
    sla.chart(BarChart(), _("Resolved within target and breached, by priority"), (first, last), (4, 5), "J2", _("SRs"))

    columns = [
        Col(_("Code"), width=20),
        Col(_("Title"), width=40),
        Col(_("Type"), width=12),
        Col(_("Priority"), width=9),
        Col(_("Service"), width=12),
        Col(_("Status"), width=11),
        Col(_("Assignee"), width=12),
        Col(_("Received at"), "datetime", 17),
        Col(_("Resolved at"), "datetime", 17),
        Col(_("Target (hours)"), "hours", 10),
        Col(_("Elapsed hours"), "hours", 10),
        Col(_("Hours over target"), "hours", 11),
    ]
    breaches = book.sheet(_("SLA breaches"), [c.width for c in columns])
    breaches.ws.freeze_panes = "A2"
    types = {code: str(text) for code, text in TYPE_LABELS.items()}
    statuses = {code: str(text) for code, text in STATUS_LABELS.items()}
    breaches.table(
        columns,
        (
            (
                b["code"],
                b["title"],
                types.get(b["type"], b["type"]),
                b["priority"],
                b["service"],
                statuses.get(b["status"], b["status"]),
                b["assignee"],
                b["created_at"],
                b["resolved_at"] if b["status"] == "DONE" else None,
                b["target_hours"],
                b["elapsed_hours"],
                b["over_hours"],
            )
            for b in metrics.iter_breaches(data.window)
        ),
    )
    return book.save()


def figures(data: ReportData) -> dict:
    """Compliance per priority; a priority with nothing resolved shows "—" and no bar (not a 0.0 % bar)."""
    rows = [(r["priority"], r["compliance"]) for r in data.sections["sla"]]
    return {
        "compliance": charts.bar_chart(
            rows,
            title=_("SLA compliance by priority"),
            width=620,
            format_value=pct,
            format_axis=lambda v: f"{v:,.0f}%",
            empty_message=_("No SRs resolved in this period"),
        )
    }


TEMPLATE = ReportTemplate(
    "monthly_sla",
    "월간 SLA 보고서",
    _l("Monthly SLA report"),
    MONTHLY,
    ("excel", "pdf"),
    order=20,
    collect=collect,
    workbook=build_workbook,
    figures=figures,
)
