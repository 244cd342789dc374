"""Workbook primitives for the report templates: Col, Book, Sheet, the number formats and the shared SR sheets.

openpyxl in write-only mode, so a detail sheet of many thousand SRs streams to the file
instead of living in memory.  Every sheet starts with the same title block; header rows
are navy (#003366) with white bold text; money, percentages and hours are numbers with a
number format; user text that a spreadsheet would run as a formula is stored as text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..formatting import code_label
from ..service_requests.labels import STATUS_LABELS, TYPE_LABELS

if TYPE_CHECKING:
    from .data import ReportData

NAVY = "003366"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=16, color=NAVY)
HEADING_FONT = Font(bold=True, size=12, color=NAVY)
MUTED_FONT = Font(color="5D6B7A")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "hours": "#,##0.0",
    "decimal": "#,##0.0",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}
MONEY_FORMATS = {"KRW": '"₩"#,##0', "USD": '"$"#,##0.00', "EUR": '"€"#,##0.00', "JPY": '"¥"#,##0'}


@dataclass(frozen=True)
class Col:
    """A table column: header text, value kind (text, int, money, percent, hours, decimal, datetime, date) and width."""

    label: str
    kind: str = "text"
    width: float = 14


class Book:
    """A write-only workbook for one report."""

    def __init__(self, data: ReportData):
        self.data = data
        self.workbook = Workbook(write_only=True)
        self.zone = ZoneInfo(data.tenant.timezone)
        currency = data.tenant.currency
        self.money_format = MONEY_FORMATS.get(currency, f'#,##0.00 "{currency}"')

    def sheet(self, title: str, widths: list[float]) -> Sheet:
        """A new sheet with these column widths (write-only sheets need widths before any row)."""
        return Sheet(self, title, widths)

    def save(self) -> bytes:
        """The finished .xlsx file."""
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


class Sheet:
    """Appends rows to one worksheet and remembers the row number for chart references."""

    def __init__(self, book: Book, title: str, widths: list[float]):
        self.book = book
        self.ws = book.workbook.create_sheet(title[:31])
        for index, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.row = 0

    # --- cells ---

    def number_format(self, kind: str) -> str:
        """The Excel number format of a value kind."""
        return self.book.money_format if kind == "money" else FORMATS.get(kind, "General")

    def plain(self, value, kind: str):
        """The value as Excel stores it: local naive times, fractions for percentages, exact decimals for money."""
        if kind == "datetime":
            return value.astimezone(self.book.zone).replace(tzinfo=None)
        if kind == "percent":
            return Decimal(value) / 100
        if kind in ("money", "hours", "decimal") and not isinstance(value, (Decimal, int, float)):
            return Decimal(str(value))
        return value

    def cell(self, value, kind: str = "text", font: Font | None = None):
        """One value as a cell of its kind; None stays empty."""
        if value is None:
            return None
        if kind == "text":
            return self.text(value, font)
        cell = WriteOnlyCell(self.ws, value=self.plain(value, kind))
        cell.number_format = self.number_format(kind)
        if font is not None:
            cell.font = font
        return cell

    def converter(self, kind: str):
        """A fast value → cell function for one column of a long table.

        A write-only row is written out as soon as it is appended, so one styled cell per
        column can be reused for every row instead of creating ~10 objects per row.
        """
        if kind == "text":
            return lambda value: None if value is None else self.text(value)
        if kind == "int":
            return lambda value: value
        reused = WriteOnlyCell(self.ws)
        reused.number_format = self.number_format(kind)

        def convert(value):
            if value is None:
                return None
            if isinstance(value, str):  # a marker such as "—" (no figure) in a number column
                return self.text(value)
            reused.value = self.plain(value, kind)
            return reused

        return convert

    def text(self, value, font: Font | None = None):
        """Text as text: a leading = + - @ from user data never becomes a formula."""
        text = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
        if not text.startswith(FORMULA_PREFIXES) and font is None:
            return text
        cell = WriteOnlyCell(self.ws, value=text)
        if text.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        if font is not None:
            cell.font = font
        return cell

    def append(self, cells: list) -> int:
        """Write one row; returns its number."""
        self.ws.append(cells)
        self.row += 1
        return self.row

    # --- blocks ---

    def title_block(self, title: str | None = None) -> None:
        """Report name, institution, period and generation time."""
        data = self.book.data
        generated = data.generated_at.astimezone(self.book.zone)
        self.append([self.text(title or str(data.template.label), TITLE_FONT)])
        self.append([self.text(_("Institution"), MUTED_FONT), self.text(data.tenant.name)])
        self.append([self.text(_("Period"), MUTED_FONT), self.text(data.period_text)])
        self.append([self.text(_("Generated"), MUTED_FONT), self.text(f"{generated:%Y-%m-%d %H:%M} ({data.tenant.timezone})")])
        self.append([])

    def heading(self, text: str) -> None:
        """A section heading inside a sheet."""
        self.append([self.text(text, HEADING_FONT)])

    def header(self, labels: list[str]) -> int:
        """A styled header row."""
        cells = []
        for text in labels:
            cell = WriteOnlyCell(self.ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(text)))
            cell.fill = HEADER_FILL
            cell.font = HEADER_FONT
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cells.append(cell)
        return self.append(cells)

    def table(self, columns: list[Col], rows) -> tuple[int, int]:
        """Header plus rows (sequences in column order); returns (header row, last row)."""
        header_row = self.header([c.label for c in columns])
        converters = [self.converter(c.kind) for c in columns]
        append = self.ws.append
        count = 0
        for values in rows:
            append([convert(v) for convert, v in zip(converters, values, strict=False)])
            count += 1
        self.row += count
        return header_row, self.row

    def key_values(self, pairs: list[tuple[str, object, str]]) -> None:
        """Two-column label/value rows (the KPI block)."""
        self.header([_("Measure"), _("Value")])
        for text, value, kind in pairs:
            self.append([self.text(text), self.cell(value, kind)])

    def chart(
        self,
        chart: BarChart | LineChart,
        title: str,
        rows: tuple[int, int],
        columns: tuple[int, int],
        anchor: str,
        y_title: str = "",
    ) -> None:
        """Place a native chart (a new BarChart or LineChart) of the table at rows (header, last).

        Each column from columns (first, last) is a series named by its header; column 1 holds the categories.
        """
        header_row, last_row = rows
        first_col, last_col = columns
        chart.title = title
        chart.y_axis.title = y_title
        chart.add_data(
            Reference(self.ws, min_col=first_col, max_col=last_col, min_row=header_row, max_row=last_row), titles_from_data=True
        )
        chart.set_categories(Reference(self.ws, min_col=1, min_row=header_row + 1, max_row=last_row))
        chart.width, chart.height = 18, 8.5
        self.ws.add_chart(chart, anchor)


# --- shared SR parts ---------------------------------------------------------------------------


def sr_summary_pairs(summary: dict, resolved_created: int | None = None) -> list[tuple[str, object, str]]:
    """The five SR figures every SR-based report starts with.

    With `resolved_created` a row after the completion rate says how many of the resolved were
    created in the period: the rate counts SRs carried over from before, so it can pass 100 %.
    """
    pairs = [
        (_("SRs created in the period"), summary["created"], "int"),
        (_("SRs resolved in the period"), summary["resolved"], "int"),
        (_("SRs open now"), summary["open_now"], "int"),
        (_("Completion rate"), summary["completion_rate"], "percent"),
        (_("MTTR (hours)"), summary["mttr_hours"], "hours"),
    ]
    if resolved_created is not None:
        pairs.insert(4, (_("Of the resolved, created in the period"), resolved_created, "int"))
    return pairs


def sr_detail_sheet(book: Book, title: str, rows) -> None:
    """Every SR of an iterator (rows of metrics.SR_DETAIL_COLUMNS + seconds), streamed."""
    columns = [
        Col(_("Code"), width=20),
        Col(_("Title"), width=40),
        Col(_("Type"), width=12),
        Col(_("Priority"), width=9),
        Col(_("Status"), width=11),
        Col(_("Service"), width=12),
        Col(_("Assignee"), width=12),
        Col(_("Root cause"), width=20),
        Col(_("Received at"), "datetime", 17),
        Col(_("Resolved at"), "datetime", 17),
        Col(_("Resolution hours"), "hours", 11),
        Col(_("Description"), width=50),
    ]
    sheet = book.sheet(title, [c.width for c in columns])
    sheet.ws.freeze_panes = "A2"
    types = {code: str(text) for code, text in TYPE_LABELS.items()}
    statuses = {code: str(text) for code, text in STATUS_LABELS.items()}
    sheet.table(
        columns,
        (
            (
                r.code,
                r.title,
                types.get(r.type, r.type),
                r.priority,
                statuses.get(r.status, r.status),
                r.service,
                r.assignee,
                r.root_cause,
                r.created_at,
                r.resolved_at if r.status == "DONE" else None,
                round(float(r.seconds) / 3600, 2) if r.seconds is not None and r.status == "DONE" else None,
                r.description or None,
            )
            for r in rows
        ),
    )


def counts_table(sheet: Sheet, title: str, counts: dict, labels: dict, order) -> None:
    """A small 'value, count' table."""
    sheet.heading(title)
    sheet.table([Col(_("Value")), Col(_("SRs"), "int")], [(code_label(labels, code), counts.get(code, 0)) for code in order])
    sheet.append([])
