"""Who may use which report template (SPEC §2), enforced the same way at every entry.

Every route that lists templates, generates, prints, lists or serves reports — pages and API
alike — goes through these functions, which all ask `ReportTemplate.allows(user)`.
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import tenant_get_or_404
from ..models import Report
from .registry import TEMPLATES, ReportTemplate, templates_for

__all__ = [
    "check_template_access",
    "readable_report_or_404",
    "readable_schedule_or_404",
    "readable_templates",
    "template_refusal",
    "templates_for",
]


def template_refusal(template: ReportTemplate) -> str:
    """The 403 message: which template, and which roles may use it."""
    return _(
        "The report template '%(name)s' (%(code)s) is only available to the roles %(roles)s.",
        name=template.label,
        code=template.code,
        roles=", ".join(template.roles),
    )


def check_template_access(template: ReportTemplate | str, user=None) -> ReportTemplate:
    """The template when the user (default: the signed-in one) may use it; 403 naming the allowed roles otherwise.

    An unknown template code is left to the caller's own validation (it is returned as None).
    """
    if isinstance(template, str):
        template = TEMPLATES.get(template)
        if template is None:
            return None
    if not template.allows(current_user if user is None else user):
        abort(403, description=template_refusal(template))
    return template


def readable_templates(user=None) -> list[str]:
    """The codes of the templates whose reports the user may see (for list queries)."""
    return list(templates_for(current_user if user is None else user))


def readable_report_or_404(report_id: int) -> Report:
    """A report of the signed-in user's tenant (404 for another tenant's) whose template the user may use (else 403)."""
    report = tenant_get_or_404(Report, report_id)
    check_template_access(report.template)
    return report


def readable_schedule_or_404(schedule_id: int):
    """A schedule of the signed-in user's tenant (404 for another tenant's) whose template the user may use (else 403)."""
    from ..models.schedules import ReportSchedule

    schedule = tenant_get_or_404(ReportSchedule, schedule_id)
    check_template_access(schedule.template)
    return schedule
