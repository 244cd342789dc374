"""The report request form: template, default or custom period, and a format the template offers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..validation import YearsInRange
from .periods import PRESETS
from .registry import TEMPLATES

PERIOD_PRESETS = PRESETS  # the radio values whose dates periods.preset_period computes

FORMAT_LABELS = {"excel": _l("Excel (.xlsx)"), "pdf": _l("PDF")}


class ReportForm(FlaskForm):
    """Generate a report; the format choices follow the chosen template."""

    template = SelectField(
        _l("Template"),
        choices=[SelectChoice(code, t.label) for code, t in TEMPLATES.items()],
        default="weekly_ops",
        validate_choice=False,
    )
    period = RadioField(
        _l("Period"),
        choices=[
            SelectChoice("default", _l("Default period")),
            SelectChoice("last_week", _l("Last week")),
            SelectChoice("last_month", _l("Last month")),
            SelectChoice("last_quarter", _l("Last quarter")),
            SelectChoice("this_month", _l("This month (to today)")),
            SelectChoice("custom", _l("Custom dates")),
        ],
        default="default",
    )
    period_start = DateField(_l("Start date"), validators=[Optional(), YearsInRange()])
    period_end = DateField(_l("End date"), validators=[Optional(), YearsInRange()])
    format = SelectField(_l("Format"), validate_choice=False)
    send_email = BooleanField(_l("Also e-mail the download link"))
    email = StringField(_l("E-mail addresses"))

    def offer_templates(self, templates: dict, keep_choice: bool = False) -> None:
        """Offer only these templates (the ones the user may use); a choice outside them becomes the first one.

        With keep_choice a submitted value stays as sent, so that the request is refused by name.
        """
        self.template.choices = [SelectChoice(code, t.label) for code, t in templates.items()]
        if not keep_choice and self.template.data not in templates:
            self.template.data = next(iter(templates))

    def limit_formats(self, pick_offered: bool = True) -> None:
        """Offer only the formats of the chosen template (and pick one of them when asked)."""
        template = TEMPLATES.get(self.template.data) or TEMPLATES["weekly_ops"]
        self.format.choices = [SelectChoice(f, FORMAT_LABELS[f]) for f in template.formats]
        if pick_offered and self.format.data not in template.formats:
            self.format.data = template.formats[0]
