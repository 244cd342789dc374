"""Excel workbooks for the report templates (the primitives are in workbook.py)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from openpyxl.chart import BarChart, LineChart
from openpyxl.styles import Font

from ..service_requests.labels import STATUS_LABELS, TYPE_LABELS
from .data import ReportData
from .workbook import Book, Col, counts_table, sr_detail_sheet, sr_summary_pairs

# --- the templates -----------------------------------------------------------------------------


def build_weekly_ops(data: ReportData) -> bytes:
    """Summary, per-service breakdown (chart), daily trend (chart) and every SR created in the period."""
    from ..models import SR_PRIORITIES, SR_TYPES
    from .metrics import iter_created

    book = Book(data)
    summary = book.sheet(_("Summary"), [30, 18, 14])
    summary.title_block()
    summary.key_values(sr_summary_pairs(data.summary))
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

    sr_detail_sheet(book, _("SR list"), iter_created(data.window))
    return book.save()


def build_monthly_sla(data: ReportData) -> bytes:
    """Summary, SLA compliance per priority (chart) and every breach."""
    from .metrics import iter_breaches

    book = Book(data)
    totals = data.sections["sla_totals"]
    summary = book.sheet(_("Summary"), [34, 18])
    summary.title_block()
    summary.key_values(
        sr_summary_pairs(data.summary)
        + [
            (_("SLA compliance"), totals["compliance"], "percent"),
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
                r["compliance"],
                r["mean_hours"],
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
            sla.cell(totals["compliance"], "percent"),
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
            for b in iter_breaches(data.window)
        ),
    )
    return book.save()


def build_capacity_plan(data: ReportData) -> bytes:
    """Summary, monthly server/storage cost and utilisation with the forecast (charts), and each server's status."""
    book = Book(data)
    sections = data.sections
    months, forecast = sections["months"], sections["forecast"]
    in_period = [m for m in months if m["in_period"]]
    summary = book.sheet(_("Summary"), [36, 18])
    summary.title_block()
    next_quarter = sum((f["cost"] for f in forecast), Decimal(0))
    latest = next((m for m in reversed(months) if m["cpu"] is not None), None)
    summary.key_values(
        sr_summary_pairs(data.summary)
        + [
            (_("Server and storage cost in the period"), sum((m["cost"] for m in in_period), Decimal(0)), "money"),
            (_("Forecast cost of the next 3 months"), next_quarter, "money"),
            (_("Latest mean CPU use"), latest["cpu"] if latest else None, "percent"),
            (_("Latest mean memory use"), latest["memory"] if latest else None, "percent"),
            (_("Latest mean disk use"), latest["disk"] if latest else None, "percent"),
            (_("Servers to expand"), sum(1 for s in sections["servers"] if s["advice"] == "EXPAND"), "int"),
            (_("Idle servers"), sum(1 for s in sections["servers"] if s["advice"] == "IDLE"), "int"),
        ]
    )

    trend = book.sheet(_("Monthly trend"), [12, 16, 16, 16, 11, 11, 11, 10, 12])
    trend.title_block()
    rows = [
        (
            m["label"],
            m["server_cost"],
            m["storage_cost"],
            m["cost"],
            m["cpu"],
            m["memory"],
            m["disk"],
            m["servers"],
            _("In period") if m["in_period"] else "",
        )
        for m in months
    ]
    rows += [
        (f["label"], f["server_cost"], f["storage_cost"], f["cost"], f["cpu"], f["memory"], f["disk"], None, _("Forecast"))
        for f in forecast
    ]
    first, last = trend.table(
        [
            Col(_("Month")),
            Col(_("Server cost"), "money"),
            Col(_("Storage cost"), "money"),
            Col(_("Total"), "money"),
            Col(_("CPU %"), "decimal"),
            Col(_("Memory %"), "decimal"),
            Col(_("Disk %"), "decimal"),
            Col(_("Servers"), "int"),
            Col(_("Note")),
        ],
        rows,
    )
    trend.chart(LineChart(), _("Server and storage cost (with forecast)"), (first, last), (2, 4), "K2")
    trend.chart(LineChart(), _("Mean utilisation % (with forecast)"), (first, last), (5, 7), "K20", "%")

    servers = book.sheet(_("Servers"), [22, 12, 10, 10, 10, 10, 16, 16])
    servers.title_block()
    advice = {"EXPAND": _("Review expansion"), "IDLE": _("Review idle server"), "OK": _("Normal"), "NO_DATA": _("No metrics")}
    servers.table(
        [
            Col(_("Server")),
            Col(_("Service")),
            Col(_("Month")),
            Col(_("CPU %"), "decimal"),
            Col(_("Memory %"), "decimal"),
            Col(_("Disk %"), "decimal"),
            Col(_("Cost in the period"), "money"),
            Col(_("Advice")),
        ],
        [
            (s["name"], s["service"], s["month"], s["cpu"], s["memory"], s["disk"], s["cost"], advice[s["advice"]])
            for s in sections["servers"]
        ],
    )
    return book.save()


def build_monthly_cost(data: ReportData) -> bytes:
    """Summary with budget, categories, allocation per service, trend, anomalies, recommendations and the cost items."""
    from .cost import build_monthly_cost_workbook

    return build_monthly_cost_workbook(Book(data), data)


BUILDERS = {
    "weekly_ops": build_weekly_ops,
    "monthly_sla": build_monthly_sla,
    "capacity_plan": build_capacity_plan,
    "monthly_cost": build_monthly_cost,
}


def build_workbook(data: ReportData) -> bytes:
    """The .xlsx file of a report."""
    return BUILDERS[data.template.code](data)
