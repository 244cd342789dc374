"""The report templates of SPEC §5.1, one module each in reports/kinds/ (adding a template is adding a module there)."""

from __future__ import annotations

import importlib
import pkgutil

from . import kinds
from .template import ReportTemplate

FORMATS = ("excel", "pdf")
FILE_TYPES = {
    "excel": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("pdf", "application/pdf"),
}


def _discover() -> dict[str, ReportTemplate]:
    """The TEMPLATE of every module in reports/kinds/, by code, in their `order`."""
    found = []
    for info in pkgutil.iter_modules(kinds.__path__):
        if info.name.startswith("_"):
            continue
        template = importlib.import_module(f"{kinds.__name__}.{info.name}").TEMPLATE
        if template.code != info.name:
            raise ValueError(f"reports/kinds/{info.name}.py declares the template {template.code!r}")
        if not set(template.formats) <= set(FORMATS):
            raise ValueError(f"report template {template.code}: unknown format in {template.formats}")
        found.append(template)
    return {t.code: t for t in sorted(found, key=lambda t: (t.order, t.code))}


TEMPLATES: dict[str, ReportTemplate] = _discover()

__all__ = ["FILE_TYPES", "FORMATS", "TEMPLATES", "ReportTemplate", "templates_for"]


def templates_for(user) -> dict[str, ReportTemplate]:
    """The templates the user may use, in the registry's order."""
    return {code: template for code, template in TEMPLATES.items() if template.allows(user)}
