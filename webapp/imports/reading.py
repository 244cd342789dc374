"""Reading an uploaded file as rows of cells, streamed: CSV (UTF-8, UTF-8 with BOM, CP949/EUC-KR) or XLSX.

`open_table(path, format, sheet)` gives a Table: its header row (found below any title rows) and an
iterator of (row number as people see it, cells).  Nothing is read into memory whole.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _

SAMPLE_BYTES = 1 << 20  # the encoding is decided on the first MiB
HEADER_SEARCH_ROWS = 20  # title rows above the header: at most this many
XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The whole file cannot be imported (encoding, format, no header...); `message` says why, nothing is stored."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class Table:
    """A file's header and its data rows; `rows()` may be iterated once per call (it re-reads the file)."""

    header: list[str]
    header_row: int
    encoding: str | None
    _rows: Callable[[], Iterator[tuple[int, list]]]

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number in the file, 1-based as in Excel; the cells) for every data row, blank rows skipped."""
        return self._rows()


def detect_format(path: str, file_name: str) -> str:
    """'xlsx' or 'csv' from the content (a ZIP is an XLSX workbook) and the name; anything else refused."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    lower = file_name.lower()
    if lower.endswith((".xls", ".xlsb", ".ods")) or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("Only CSV and XLSX files can be imported; save the sheet as .xlsx or .csv."))
    return "csv"


def detect_encoding(sample: bytes, complete: bool) -> str:
    """utf-8-sig, utf-8 or cp949 (a superset of EUC-KR); other encodings (UTF-16, Latin-1...) refused."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in sample:
        raise FileRefused(_("The file is UTF-16 or binary; save the CSV as UTF-8 or CP949 (EUC-KR)."))
    for encoding in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The file's characters are neither UTF-8 nor CP949 (EUC-KR); save the CSV as UTF-8."))


def _clean(value):
    """A cell as the checks expect it: text stripped, whole floats as int, dates kept; empty as None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _blank(cells: list) -> bool:
    return cells.count(None) == len(cells)


def _find_header(first_rows: list[tuple[int, list]], is_header: Callable[[list[str]], bool]) -> int:
    """The index in `first_rows` of the header row: the first that `is_header` accepts, else the first non-blank row."""
    for index, (_number, cells) in enumerate(first_rows):
        if is_header([str(cell) if cell is not None else "" for cell in cells]):
            return index
    for index, (_number, cells) in enumerate(first_rows):
        if not _blank(cells):
            return index
    raise FileRefused(_("The file is empty: it has no header row and no data."))


def _table(numbered: Callable[[], Iterator[tuple[int, list]]], is_header, encoding) -> Table:
    """Find the header among the first rows and serve the rows below it."""
    first: list[tuple[int, list]] = []
    for item in numbered():
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    index = _find_header(first, is_header)
    header_number, header_cells = first[index]
    header = [str(cell) if cell is not None else "" for cell in header_cells]
    while header and not header[-1]:
        header.pop()

    def rows():
        for number, cells in numbered():
            if number <= header_number or _blank(cells):
                continue
            yield number, cells

    return Table(header, header_number, encoding, rows)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_rows(path: str, encoding: str) -> Iterator[tuple[int, list]]:
    with open(path, encoding=encoding, errors="strict", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for cells in reader:
                yield reader.line_num, [cell.strip() or None for cell in cells]  # _clean, for text cells
        except UnicodeDecodeError:
            raise FileRefused(
                _(
                    "Line %(line)s has characters that are not %(encoding)s; save the whole file in one encoding.",
                    line=reader.line_num + 1,
                    encoding=encoding,
                )
            ) from None
        except csv.Error as error:
            raise FileRefused(
                _("Line %(line)s cannot be read as CSV: %(error)s", line=reader.line_num, error=str(error))
            ) from None


def open_csv(path: str, is_header) -> Table:
    """A CSV file's table, its encoding detected on the first MiB."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        complete = not handle.read(1)
    if not sample.strip():
        raise FileRefused(_("The file is empty: it has no header row and no data."))
    encoding = detect_encoding(sample, complete)
    return _table(lambda: _csv_rows(path, encoding), is_header, encoding)


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_value(value):
    """A cell value of a workbook: dates and times as datetime, the rest cleaned."""
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return _clean(value)


def _xlsx_rows(path: str, sheet: str | None) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    # File objects, not the path: openpyxl judges a path by its extension, and uploads are stored without one.
    value_file, formula_file = open(path, "rb"), open(path, "rb")  # noqa: SIM115 — closed in the finally below
    values = load_workbook(value_file, read_only=True, data_only=True)
    formulas = load_workbook(formula_file, read_only=True, data_only=False)
    try:
        names = values.sheetnames
        name = sheet or names[0]
        if name not in names:
            raise FileRefused(
                _("The workbook has no sheet '%(sheet)s'; its sheets: %(names)s.", sheet=name, names=", ".join(names))
            )
        value_rows = values[name].iter_rows(values_only=True)
        formula_rows = formulas[name].iter_rows(values_only=True)
        for number, (cells, raw) in enumerate(zip(value_rows, formula_rows, strict=False), start=1):
            row = [_xlsx_value(cell) for cell in cells]
            for index, cell in enumerate(row):
                if cell is None and index < len(raw) and isinstance(raw[index], str) and raw[index].startswith("="):
                    raise FileRefused(
                        _(
                            "Row %(row)s has a formula without a saved value (the file was not saved by Excel): "
                            "open it in Excel, save it, and import it again.",
                            row=number,
                        )
                    )
            yield number, row
    finally:
        values.close()
        formulas.close()
        value_file.close()
        formula_file.close()


def open_xlsx(path: str, is_header, sheet: str | None = None) -> Table:
    """The first (or the named) sheet of a workbook as a table; formulas read as their saved values."""
    from zipfile import BadZipFile

    try:
        table = _table(lambda: _xlsx_rows(path, sheet), is_header, None)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(_("The file is not a readable XLSX workbook.")) from None
    return table


def open_table(path: str, file_format: str, is_header, sheet: str | None = None) -> Table:
    """The file's table, whichever the format."""
    if file_format == "xlsx":
        return open_xlsx(path, is_header, sheet)
    return open_csv(path, is_header)


def csv_bytes(rows: list[list]) -> bytes:
    """Rows as a UTF-8 CSV with BOM (Excel opens it with the Korean intact)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
