"""Helpers for report tests: SRs at exact tenant-local times, report rows, files read back, PDF text and fonts."""

from __future__ import annotations

import io
import itertools
import logging
import subprocess
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from webapp.extensions import db
from webapp.models import Report, ServiceRequest

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
_numbers = itertools.count(1)


def local(text: str, zone: str = "Asia/Seoul") -> datetime:
    """'2026-03-31 23:30' in the zone, as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def add_sr(
    tenant,
    created: str,
    resolved: str | None = None,
    *,
    status: str | None = None,
    type: str = "REQUEST",
    priority: str = "P3",
    service: str = "ERP",
    root_cause: str | None = None,
    title: str = "테스트 요청",
    description: str = "",
    zone: str | None = None,
) -> ServiceRequest:
    """An SR created (and resolved) at tenant-local times; status DONE when resolved, else OPEN."""
    zone = zone or tenant.timezone
    sr = ServiceRequest(
        tenant_id=tenant.id,
        code=f"SR-T-{next(_numbers):05d}",
        title=title,
        type=type,
        priority=priority,
        service=service,
        status=status or ("DONE" if resolved else "OPEN"),
        root_cause=root_cause,
        description=description,
        created_at=local(created, zone),
        resolved_at=local(resolved, zone) if resolved else None,
    )
    db.session.add(sr)
    db.session.commit()
    return sr


def add_report(tenant, status: str = "QUEUED", *, template: str = "weekly_ops", fmt: str = "excel", **fields) -> Report:
    """A stored report row of the tenant for March 2026, as given (no job builds it)."""
    report = Report(
        tenant_id=tenant.id, template=template, period_start=MARCH[0], period_end=MARCH[1], format=fmt, status=status, **fields
    )
    db.session.add(report)
    db.session.commit()
    return report


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
