"""PDF reports: one Jinja template per report is both the printable page and, through WeasyPrint, the PDF.

The template (`ReportTemplate.print_template`) and its SVG charts (`ReportTemplate.figures`) come from the
report's kind module in reports/kinds/; this module holds the shared text formatters and the rendering.

WeasyPrint runs only in the worker (render_pdf is called by the report job).  Fonts come
from the system (fonts-nanum / fonts-noto-cjk through fontconfig) and are embedded in the
PDF as subsets; nothing is fetched from the network.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import partial
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from .. import charts
from ..analytics.labels import label_functions
from ..formatting import code_label
from ..models import SR_PRIORITIES, SR_TYPES
from ..service_requests.labels import PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS
from .data import ReportData

log = logging.getLogger(__name__)


def pct(value) -> str:
    """85.3 → '85.3%'; None → '—'."""
    return "—" if value is None else f"{Decimal(value):,.1f}%"


def hours_text(value) -> str:
    """12.5 → '12.5'; None → '—'."""
    return "—" if value is None else f"{Decimal(value):,.1f}"


def count_text(value) -> str:
    """1234 → '1,234'."""
    return "—" if value is None else f"{int(value):,}"


def chart_helpers() -> dict:
    """The chart functions and formatters the print templates use."""
    return {
        "won": charts.won,
        "pct": pct,
        "hours_text": hours_text,
        "count_text": count_text,
        "type_label": partial(code_label, TYPE_LABELS),
        "status_label": partial(code_label, STATUS_LABELS),
        "priority_label": partial(code_label, PRIORITY_LABELS),
    }


def print_stylesheet() -> Markup:
    """static/css/report-print.css, to inline into the HTML WeasyPrint renders (browsers link the file)."""
    path = Path(current_app.static_folder) / "css" / "report-print.css"
    return Markup(path.read_text(encoding="utf-8").removesuffix("\n"))


def render_html(data: ReportData, for_pdf: bool, back_url: str = "") -> str:
    """The report as an HTML page with inline SVG charts: self-contained for the PDF, linking its CSS and JS for browsers."""
    return render_template(
        data.template.print_template,
        data=data,
        sections=data.sections,
        summary=data.summary,
        figures=data.template.figures(data),
        for_pdf=for_pdf,
        back_url=back_url,
        print_stylesheet=print_stylesheet() if for_pdf else "",
        sr_types=SR_TYPES,
        sr_priorities=SR_PRIORITIES,
        **chart_helpers(),
        **label_functions(),
    )


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's warnings while one document renders (a missing glyph means boxes on paper)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render_pdf(data: ReportData) -> bytes:
    """The PDF bytes of a report (A4, page numbers, header with institution and period)."""
    from flask import has_request_context
    from weasyprint import HTML

    if has_request_context():
        raise RuntimeError("PDF reports are rendered by the report job, never inside a web request")
    watch = _GlyphWatch()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(watch)
    try:
        content = HTML(string=render_html(data, for_pdf=True)).write_pdf()
    finally:
        weasy_log.removeHandler(watch)
    missing = [m for m in watch.messages if ".notdef" in m]
    if missing:
        log.error(
            "report PDF %s drew %d missing glyph(s), e.g. %s — install fonts-nanum or fonts-noto-cjk",
            data.template.code,
            len(missing),
            missing[0],
        )
    return content
