"""Data collectors: one function per template, each returning the figures its Excel and PDF show."""

from __future__ import annotations

from datetime import date, datetime

from ..models import Tenant, utcnow
from . import metrics
from .data import ReportData
from .registry import TEMPLATES

PDF_BREACH_ROWS = 40
PDF_INCIDENT_ROWS = 60


def collect(template_code: str, tenant: Tenant, start: date, end: date, now: datetime | None = None) -> ReportData:
    """Collect the data of one report."""
    template = TEMPLATES[template_code]
    now = now or utcnow()
    data = ReportData(template, tenant, start, end, now)
    window = metrics.window_for(tenant, start, end, now)
    data.sr_figures = metrics.sr_summary(window)
    if template.sr_based:
        data.window = window
        data.summary = data.sr_figures
    COLLECTORS[template_code](data)
    return data


def collect_weekly_ops(data: ReportData) -> None:
    """Per-service breakdown, daily trend, and counts by type and priority."""
    window = data.window
    data.sections["services"] = metrics.per_service(window)
    data.sections["daily"] = metrics.daily_trend(window)
    data.sections["by_type"] = metrics.counts_by(window, metrics.SR.type)
    data.sections["by_priority"] = metrics.counts_by(window, metrics.SR.priority)


def collect_monthly_sla(data: ReportData) -> None:
    """SLA compliance per priority and the breaches (all in Excel, the worst in the PDF)."""
    rows = metrics.sla_by_priority(data.window)
    totals = metrics.sla_totals(rows)
    data.sections["sla"] = rows
    data.sections["sla_totals"] = totals
    data.sections["breach_count"] = metrics.count_breaches(data.window)
    data.sections["top_breaches"] = list(metrics.iter_breaches(data.window, limit=PDF_BREACH_ROWS))
    data.highlights = {"sla_compliance": totals["compliance"], "sla_breaches": data.sections["breach_count"]}


def collect_incident_rca(data: ReportData) -> None:
    """Incidents by root cause, recurring patterns and the incident list."""
    window = data.window
    causes = metrics.incidents_by_root_cause(window)
    incident_filter = metrics.SR.type == metrics.INCIDENT
    data.sections["causes"] = causes
    data.sections["patterns"] = metrics.recurring_patterns(window)
    data.sections["incident_count"] = sum(c["count"] for c in causes)
    data.sections["incidents_by_priority"] = metrics.counts_by(window, metrics.SR.priority, incident_filter)
    data.sections["incidents"] = list(metrics.iter_created(window, incident_filter, limit=PDF_INCIDENT_ROWS))
    data.highlights = {"incidents": data.sections["incident_count"], "recurring_patterns": len(data.sections["patterns"])}


def collect_capacity_plan(data: ReportData) -> None:
    """Server and storage cost and utilisation by month (12 months to the period end) with a 3-month forecast."""
    from .capacity import capacity_sections

    data.sections.update(capacity_sections(data.tenant.id, data.start, data.end))
    data.highlights = {
        "forecast_server_storage_cost": data.sections["forecast"][0]["cost"] if data.sections["forecast"] else None
    }


def collect_monthly_cost(data: ReportData) -> None:
    """Section 3 of the SPEC for the month of the period end (summary, budget, trend, allocation, anomalies, recommendations)."""
    from .cost import cost_highlights, cost_sections

    data.sections.update(cost_sections(data.tenant, data.end.year, data.end.month))
    data.summary = cost_highlights(data.sections)


COLLECTORS = {
    "weekly_ops": collect_weekly_ops,
    "monthly_sla": collect_monthly_sla,
    "incident_rca": collect_incident_rca,
    "capacity_plan": collect_capacity_plan,
    "monthly_cost": collect_monthly_cost,
}
