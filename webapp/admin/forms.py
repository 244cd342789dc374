"""Forms for managing users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from ..models import ROLES


class UserForm(FlaskForm):
    """Create or edit a user of the current tenant."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64),
                           Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Username: use letters, digits, '.', '_' or '-'."))])
    email = StringField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=list(ROLES), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)])


def _valid_timezone(form, field):
    """Only IANA zone names that zoneinfo knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from wtforms.validators import ValidationError

    try:
        ZoneInfo(field.data or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_l("Time zone: enter an IANA zone name such as Asia/Seoul."))


class TenantSettingsForm(FlaskForm):
    """Institution name, zone, language, SLA targets and report retention."""

    name = StringField(_l("Institution name"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), _valid_timezone])
    locale = SelectField(_l("Default language"), choices=[SelectChoice("ko", "한국어"), SelectChoice("en", "English")])
    sla_p1 = IntegerField(_l("SLA P1 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p2 = IntegerField(_l("SLA P2 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p3 = IntegerField(_l("SLA P3 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p4 = IntegerField(_l("SLA P4 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    report_retention_days = IntegerField(_l("Keep reports for (days)"), validators=[InputRequired(), NumberRange(min=1, max=3650)])
