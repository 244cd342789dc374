"""Turn a report request into its file: collect the data, then build the Excel or PDF bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from ..models import Tenant
from .collectors import collect
from .registry import FILE_TYPES, TEMPLATES


@dataclass
class BuiltFile:
    """A finished report file and what is stored with it."""

    content: bytes
    file_name: str
    content_type: str
    data_summary: dict


def report_file_name(template_code: str, start: date, end: date, fmt: str) -> str:
    """The download name: the Korean template name and the period, e.g. 주간_운영_보고서_2026-01-01_2026-01-07.xlsx."""
    extension = FILE_TYPES[fmt][0]
    return f"{TEMPLATES[template_code].name.replace(' ', '_')}_{start.isoformat()}_{end.isoformat()}.{extension}"


def ascii_file_name(template_code: str, start: date, end: date, fmt: str) -> str:
    """The plain-ASCII fallback name for old clients, e.g. weekly_ops_2026-01-01_2026-01-07.xlsx."""
    return f"{template_code}_{start.isoformat()}_{end.isoformat()}.{FILE_TYPES[fmt][0]}"


def content_disposition(file_name: str, fallback: str) -> str:
    """RFC 6266 attachment header with an ASCII fallback and the UTF-8 name per RFC 5987 (Korean-safe)."""
    safe_fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{safe_fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def render_report(tenant: Tenant, template_code: str, start: date, end: date, fmt: str, now: datetime | None = None) -> BuiltFile:
    """Collect and build one report file (runs in the worker; call inside tenant_context)."""
    data = collect(template_code, tenant, start, end, now)
    if fmt == "excel":
        content = data.template.workbook(data)
    elif fmt == "pdf":
        from .pdf import render_pdf

        content = render_pdf(data)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return BuiltFile(content, report_file_name(template_code, start, end, fmt), FILE_TYPES[fmt][1], data.data_summary())
