"""Forms for service requests: the list filters, create/edit, and the quick status change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import SERVICES, SR_PRIORITIES, SR_STATUSES, SR_TYPES
from ..validation import YearsInRange
from .labels import PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS


def _choices(codes, labels=None, blank=None) -> list[SelectChoice]:
    """Select options for codes, with an optional first 'all' option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(code, labels[code] if labels else code) for code in codes]


class ServiceRequestForm(FlaskForm):
    """Create or edit an SR; times are in the institution's time zone."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    type = SelectField(_l("Type"), choices=_choices(SR_TYPES, TYPE_LABELS), default="REQUEST")
    priority = SelectField(_l("Priority"), choices=_choices(SR_PRIORITIES, PRIORITY_LABELS), default="P3")
    status = SelectField(_l("Status"), choices=_choices(SR_STATUSES, STATUS_LABELS), default="OPEN")
    service = SelectField(_l("Service"), choices=_choices(SERVICES), default="OTHER")
    assignee = StringField(_l("Assignee"), validators=[Optional(), Length(max=100)])
    root_cause = StringField(
        _l("Root cause"),
        validators=[Optional(), Length(max=200)],
        description=_l("For incidents: what caused it (used by the incident analysis report)."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    created_at = DateTimeLocalField(
        _l("Received at"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), YearsInRange()],
        description=_l("Leave empty for now."),
    )
    resolved_at = DateTimeLocalField(
        _l("Resolved at"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), YearsInRange()],
        description=_l("Set automatically when the status becomes Done; correct it here if needed."),
    )


class StatusForm(FlaskForm):
    """Change only the status (from the list)."""

    status = SelectField(_l("Status"), choices=_choices(SR_STATUSES, STATUS_LABELS))


class FilterForm(FlaskForm):
    """List filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"), choices=_choices(SR_STATUSES, STATUS_LABELS, blank=_l("All statuses")), validators=[Optional()]
    )
    type = SelectField(_l("Type"), choices=_choices(SR_TYPES, TYPE_LABELS, blank=_l("All types")), validators=[Optional()])
    priority = SelectField(
        _l("Priority"), choices=_choices(SR_PRIORITIES, PRIORITY_LABELS, blank=_l("All priorities")), validators=[Optional()]
    )
    service = SelectField(_l("Service"), choices=_choices(SERVICES, blank=_l("All services")), validators=[Optional()])
    created_from = DateField(_l("Received from"), validators=[Optional(), YearsInRange()])
    created_to = DateField(_l("Received to"), validators=[Optional(), YearsInRange()])
