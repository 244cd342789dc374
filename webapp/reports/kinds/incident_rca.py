"""인시던트 분석 (incident_rca): incidents by root cause, recurring patterns and the incident list (PDF only)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import charts
from .. import metrics
from ..data import ReportData
from ..periods import MONTHLY
from ..template import ReportTemplate

PDF_INCIDENT_ROWS = 60


def collect(data: ReportData) -> None:
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


def figures(data: ReportData) -> dict:
    """Incidents per root cause."""
    rows = [(r["root_cause"] or _("Not recorded"), r["count"]) for r in data.sections["causes"][:12]]
    return {
        "causes": charts.bar_chart(
            rows,
            title=_("Incidents by root cause"),
            width=620,
            format_value=charts.grouped_number,
            empty_message=_("No incidents in this period"),
        )
    }


TEMPLATE = ReportTemplate(
    "incident_rca",
    "인시던트 분석",
    _l("Incident analysis"),
    MONTHLY,
    ("pdf",),
    order=30,
    collect=collect,
    figures=figures,
)
