"""CSV and Excel files of the filtered cost list, with spreadsheet formula injection neutralised."""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..analytics.labels import category_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAVY = "003366"


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    """Column titles in the reader's language."""
    return [_("Code"), _("Year"), _("Month"), _("Category code"), _("Category"), _("Service"), _("Amount"),
            _("Description"), _("Department"), _("Server"), _("Created by"), _("Created at")]


def _cells(row, zone: ZoneInfo) -> list:
    """One export row: codes, the category name, the exact amount and the local creation time."""
    code, year, month, category, service, amount, description, department, server, author, created_at = row
    local = created_at.astimezone(zone).replace(tzinfo=None) if created_at else None
    return [code, year, month, category, category_name(category), service, amount, neutralise(description or ""),
            neutralise(department or ""), neutralise(server or ""), neutralise(author or ""), local]


def csv_chunks(rows, zone_name: str):
    """The CSV as text chunks (UTF-8 BOM first so Excel opens Korean correctly); amounts as plain numbers."""
    zone = ZoneInfo(zone_name)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers())
    for count, row in enumerate(rows, 1):
        cells = _cells(row, zone)
        cells[-1] = cells[-1].strftime("%Y-%m-%d %H:%M") if cells[-1] else ""
        writer.writerow(cells)
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(rows, *, zone_name: str, title: str, subtitle: str, total: Decimal, currency: str = "KRW"):
    """An .xlsx (write-only, so memory stays flat) in a temporary file, rewound for sending."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    zone = ZoneInfo(zone_name)
    money_format = '"₩"#,##0' if currency == "KRW" else "#,##0.00"
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Costs"))
    widths = [24, 7, 6, 14, 20, 12, 16, 40, 12, 16, 14, 18]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.freeze_panes = "A5"

    def styled(value, **style):
        cell = WriteOnlyCell(sheet, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    sheet.append([styled(title, font=Font(bold=True, size=14, color=NAVY))])
    sheet.append([styled(subtitle, font=Font(color="5D6B7A"))])
    sheet.append([])
    header_fill, header_font = PatternFill("solid", fgColor=NAVY), Font(bold=True, color="FFFFFF")
    sheet.append([styled(text, fill=header_fill, font=header_font, alignment=Alignment(horizontal="center"))
                  for text in headers()])
    count = 0
    for count, row in enumerate(rows, 1):
        cells = _cells(row, zone)
        cells[6] = styled(cells[6], number_format=money_format)
        cells[-1] = styled(cells[-1], number_format="yyyy-mm-dd hh:mm") if cells[-1] else None
        sheet.append(cells)
    bold = Font(bold=True)
    sheet.append([])
    sheet.append([styled(_("Total"), font=bold), styled(_("%(count)s items", count=count)), None, None, None, None,
                  styled(total, font=bold, number_format=money_format)])
    sheet.auto_filter.ref = f"A4:L{4 + max(count, 1)}"
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle


def export_title() -> str:
    """The sheet title."""
    return _("IT cost list")


def generated_at(zone_name: str) -> str:
    """When the file was made, in the tenant's zone."""
    return datetime.now(ZoneInfo(zone_name)).strftime("%Y-%m-%d %H:%M")
