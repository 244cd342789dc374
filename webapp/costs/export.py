"""CSV and Excel files of the filtered cost list, with spreadsheet formula injection neutralised.

CSV is streamed: the rows go from the database to the client in 64 KiB chunks, on a connection
the response owns, so memory stays flat however long the list and the first bytes leave at once.
(A spooled temporary file would also free the connection early, but writes and reads every byte
twice and sends nothing until the whole file is built.)  On PostgreSQL the database writes the CSV
itself with COPY, several times faster than formatting each row in Python.  Excel cannot be
streamed (the workbook is a zip written at the end); it is built in a temporary file in write-only mode.
"""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import String, case, func, literal

from ..analytics.labels import category_name
from ..models import CATEGORIES, CostEntry, Server, User
from .queries import CostFilter, export_query, export_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAVY = "003366"


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    """Column titles in the reader's language."""
    return [
        _("Code"),
        _("Year"),
        _("Month"),
        _("Category code"),
        _("Category"),
        _("Service"),
        _("Amount"),
        _("Description"),
        _("Department"),
        _("Server"),
        _("Created by"),
        _("Created at"),
    ]


def category_labels() -> dict[str, str]:
    """{category code: name in the reader's language}, resolved now (a streamed body runs after the request)."""
    return {code: category_name(code) for code in CATEGORIES}


def _cells(row, zone: ZoneInfo, labels: dict[str, str]) -> list:
    """One export row: codes, the category name, the exact amount and the local creation time."""
    code, year, month, category, service, amount, description, department, server, author, created_at = row
    local = created_at.astimezone(zone).replace(tzinfo=None) if created_at else None
    return [
        code,
        year,
        month,
        category,
        labels.get(category, category),
        service,
        amount,
        neutralise(description or ""),
        neutralise(department or ""),
        neutralise(server or ""),
        neutralise(author or ""),
        local,
    ]


# --- CSV --------------------------------------------------------------------------------------
# Two writers of the same bytes: on PostgreSQL the database formats the rows itself (COPY … TO
# STDOUT WITH (FORMAT csv)), elsewhere Python's csv module does.  Both quote only what needs quoting,
# end rows with CRLF and write empty text as an empty cell; tests compare the two byte for byte.

CSV_CHUNK_BYTES = 64 * 1024
CSV_TIME_FORMAT = ("%Y-%m-%d %H:%M", "YYYY-MM-DD HH24:MI")  # (Python, PostgreSQL to_char): the same text


def csv_head() -> bytes:
    """The UTF-8 BOM (so Excel reads Korean correctly) and the header row in the reader's language."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerow(headers())
    return buffer.getvalue().encode("utf-8")


def python_csv_chunks(rows, zone_name: str, labels: dict[str, str]) -> Iterator[bytes]:
    """The data rows as CSV bytes, written by Python, in chunks of about CSV_CHUNK_BYTES."""
    zone = ZoneInfo(zone_name)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        cells = _cells(row, zone, labels)
        cells[-1] = cells[-1].strftime(CSV_TIME_FORMAT[0]) if cells[-1] else ""
        writer.writerow(cells)
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _sql_text(column):
    """A text cell as the Python writer makes it: formula starts neutralised, empty text as NULL (an unquoted empty cell)."""
    neutralised = case((func.left(column, 1).in_(FORMULA_STARTS), literal("'", String) + column), else_=column)
    return func.nullif(neutralised, "")


def csv_select(tenant_id: int, costs: CostFilter, zone_name: str, labels: dict[str, str]):
    """The export rows formatted by PostgreSQL exactly as python_csv_chunks formats them (for COPY)."""
    label = case({code: str(name) for code, name in labels.items()}, value=CostEntry.category, else_=CostEntry.category)
    local_time = func.to_char(func.timezone(zone_name, CostEntry.created_at), CSV_TIME_FORMAT[1])
    return export_query(
        tenant_id,
        costs,
        CostEntry.code,
        CostEntry.year,
        CostEntry.month,
        CostEntry.category,
        label,
        CostEntry.service,
        CostEntry.amount,
        _sql_text(CostEntry.description),
        _sql_text(CostEntry.department),
        _sql_text(Server.name),
        _sql_text(User.username),
        local_time,
    )


def postgres_csv_chunks(connection, query) -> Iterator[bytes]:
    """The rows of `query` as CSV bytes straight from COPY TO STDOUT, in chunks of about CSV_CHUNK_BYTES.

    libpq hands over one row at a time, each ending in LF; the LF becomes CRLF so the file is the
    Python writer's byte for byte (an LF inside a quoted cell is part of the cell and stays).
    """
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        # COPY writes in the client encoding; the file is UTF-8 whatever the server's default.
        cursor.execute("SET LOCAL client_encoding TO 'UTF8'")
        with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy:
            parts, size = [], 0
            for row in copy:
                parts += (row[:-1], b"\r\n")
                size += len(row) + 1
                if size >= CSV_CHUNK_BYTES:
                    yield b"".join(parts)
                    parts, size = [], 0
            if parts:
                yield b"".join(parts)


def csv_stream(engine, tenant_id: int, costs: CostFilter, zone_name: str) -> tuple[Iterator[bytes], Callable[[], None]]:
    """The whole CSV file as an iterator of bytes, and the function that ends it early.

    The body is read from a connection of its own, opened here and closed when the body ends
    or the response is closed: a streamed body runs after the request's session has been
    removed, so it must not read from that session (on PostgreSQL its cursor would be gone).
    Streaming keeps memory flat and sends the first bytes at once; the first chunk (header and
    first rows) is made before returning, so a failing query still answers an error page, not a cut file.
    """
    labels, head = category_labels(), csv_head()

    def rows_on(connection) -> Iterator[bytes]:
        if connection.dialect.name == "postgresql":
            return postgres_csv_chunks(connection, csv_select(tenant_id, costs, zone_name, labels))
        return python_csv_chunks(export_rows(tenant_id, costs, connection), zone_name, labels)

    def body() -> Iterator[bytes]:
        # closing(): a body ended early stops its COPY or cursor before the connection goes back to the pool.
        with engine.connect() as connection, closing(rows_on(connection)) as rows:
            yield head + next(rows, b"")
            yield from rows

    chunks = body()
    first = next(chunks)
    return itertools.chain([first], chunks), chunks.close


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
    sheet.append(
        [styled(text, fill=header_fill, font=header_font, alignment=Alignment(horizontal="center")) for text in headers()]
    )
    count, labels = 0, category_labels()
    for row in rows:
        count += 1
        cells = _cells(row, zone, labels)
        cells[6] = styled(cells[6], number_format=money_format)
        cells[-1] = styled(cells[-1], number_format="yyyy-mm-dd hh:mm") if cells[-1] else None
        sheet.append(cells)
    bold = Font(bold=True)
    sheet.append([])
    sheet.append(
        [
            styled(_("Total"), font=bold),
            styled(_("%(count)s items", count=count)),
            None,
            None,
            None,
            None,
            styled(total, font=bold, number_format=money_format),
        ]
    )
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
