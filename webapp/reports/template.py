"""ReportTemplate: one kind of report — its SPEC §5.1 facts and the functions that build it (a leaf module).

Each template is one module in reports/kinds/ that declares `TEMPLATE = ReportTemplate(...)` with its
collect function, its workbook builder (Excel) and its figures and print template (PDF); registry.py
finds them. The stages call what the template carries: collectors.collect → template.collect,
render → template.workbook or pdf.render_html → template.figures / template.print_template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..auth.roles import EVERYONE

if TYPE_CHECKING:
    from .data import ReportData


@dataclass(frozen=True)
class ReportTemplate:
    """One kind of report."""

    code: str
    name: str  # the Korean name of SPEC §5.1 (API field `name`)
    label: object  # the same name in the UI language
    period: str  # WEEKLY / MONTHLY / QUARTERLY
    formats: tuple[str, ...]
    sr_based: bool = True
    # SPEC §2: everyone may use the SR-based reports; reports built on cost data are ADMIN/PM only.
    roles: tuple[str, ...] = EVERYONE
    order: int = 100  # position in the template lists (smallest first)
    # The template's stages: fill data.sections (and summary / highlights) …
    collect: Callable[[ReportData], None] | None = field(default=None, compare=False, repr=False)
    # … build the .xlsx bytes (when it offers excel) …
    workbook: Callable[[ReportData], bytes] | None = field(default=None, compare=False, repr=False)
    # … and, when it offers pdf, the SVG charts its print template shows, by name.
    figures: Callable[[ReportData], dict] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.collect is None:
            raise ValueError(f"report template {self.code}: no collect function")
        if ("excel" in self.formats) != (self.workbook is not None):
            raise ValueError(f"report template {self.code}: a workbook builder exactly when it offers excel")
        if ("pdf" in self.formats) != (self.figures is not None):
            raise ValueError(f"report template {self.code}: figures exactly when it offers pdf")

    @property
    def print_template(self) -> str:
        """The Jinja template of the printable page and the PDF: templates/reports/print/<code>.html."""
        return f"reports/print/{self.code}.html"

    def offers(self, fmt: str) -> bool:
        """True when the template can be produced in this format."""
        return fmt in self.formats

    def allows(self, user) -> bool:
        """True when the user's role may use the template: see it, generate it, print it and read its reports."""
        return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*self.roles))
