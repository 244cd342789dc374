"""The schedule form; the field rules themselves live in service.validate (shared with the API)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

FORMAT_LABELS = {"excel": "Excel (.xlsx)", "pdf": "PDF"}


class ScheduleForm(FlaskForm):
    """Create or edit a report schedule."""

    name = StringField(_l("Name"))
    template = SelectField(_l("Report template"), validate_choice=False)
    format = SelectField(_l("Format"), validate_choice=False)
    cron = StringField(_l("Cron expression"), description=_l("minute hour day-of-month month day-of-week, e.g. 0 9 * * 1"))
    timezone = StringField(_l("Time zone"))
    recipients = TextAreaField(_l("Recipients"), description=_l("One e-mail address per line (or separated by commas)."))
    skip_when_empty = BooleanField(_l("Do not send when the period has no data"))
    active = BooleanField(_l("Active"), default=True)

    def fill_choices(self, templates, adjust_format: bool = True) -> None:
        """Templates from the registry; formats limited to what the chosen template offers."""
        self.template.choices = [SelectChoice(code, str(t.label)) for code, t in templates.items()]
        chosen = templates.get(self.template.data) or next(iter(templates.values()))
        self.format.choices = [SelectChoice(fmt, FORMAT_LABELS.get(fmt, fmt)) for fmt in chosen.formats]
        if adjust_format and self.format.data not in chosen.formats:
            self.format.data = chosen.formats[0]

    def as_input(self) -> dict:
        """The submitted values for service.validate."""
        return {
            name: getattr(self, name).data
            for name in ("name", "template", "format", "cron", "timezone", "recipients", "skip_when_empty", "active")
        }
