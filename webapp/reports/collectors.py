"""Collect a report's data: the SR summary every template carries, then its template's own sections."""

from __future__ import annotations

from datetime import date, datetime

from ..models import Tenant, utcnow
from . import metrics
from .data import ReportData
from .registry import TEMPLATES


def collect(template_code: str, tenant: Tenant, start: date, end: date, now: datetime | None = None) -> ReportData:
    """Collect the data of one report (the template's collect fills its sections)."""
    template = TEMPLATES[template_code]
    now = now or utcnow()
    data = ReportData(template, tenant, start, end, now)
    window = metrics.window_for(tenant, start, end, now)
    data.sr_figures = metrics.sr_summary(window)
    if template.sr_based:
        data.window = window
        data.summary = data.sr_figures
        data.resolved_created = metrics.resolved_created_in_period(window)
    template.collect(data)
    return data
