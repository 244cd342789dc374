"""Report tests read their files back: PDF text, fonts and page facts, workbooks, WeasyPrint warnings.

The builders (add_sr, add_report, MARCH, local) are in tests/factories.py."""

from __future__ import annotations

import io
import logging
import subprocess
from contextlib import contextmanager


def pdf_text(content: bytes) -> str:
    """The text of a PDF (pdftotext, layout kept)."""
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page."""
    return pdf_text(content).split("\f")[:-1] or [pdf_text(content)]


def pdf_fonts(content: bytes, tmp_path) -> str:
    """pdffonts' table for the PDF."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def pdf_info(content: bytes, tmp_path) -> dict:
    """pdfinfo's fields (Pages, Page size...)."""
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def workbook(content: bytes):
    """An .xlsx read back with openpyxl (formulas as written, not evaluated)."""
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def find_row(sheet, first_cell_value):
    """The first row whose first cell equals the value (as a tuple of cells)."""
    for row in sheet.iter_rows():
        if row[0].value == first_cell_value:
            return row
    raise AssertionError(f"no row starting with {first_cell_value!r} in {sheet.title}")


@contextmanager
def weasyprint_warnings():
    """Collect every warning WeasyPrint logs while the block runs (missing glyphs, bad CSS)."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
