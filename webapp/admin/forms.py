"""Forms for managing users."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..models import ROLES
from ..validation import WHOLE_NUMBER, InvalidParameter, check_timezone, password_problem


def _acceptable_password(form, field):
    """No control characters (tab and new line included) and not only spaces."""
    if field.data and (problem := password_problem(field.data, str(field.label.text))):
        raise ValidationError(problem)


class WholeNumberField(IntegerField):
    """An IntegerField that takes only the digits 0–9 (int() alone would also read "１２" and "١٢")."""

    def process_formdata(self, valuelist):
        """Refuse anything but ASCII digits before IntegerField converts."""
        if valuelist and valuelist[0].strip() and not WHOLE_NUMBER.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError(_l("%(field)s: enter a whole number with the digits 0–9.", field=self.label.text))
        super().process_formdata(valuelist)


class UserForm(FlaskForm):
    """Create or edit a user of the current tenant."""

    # \Z, not $: "$" also matches before a trailing new line
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9._-]+\Z", message=_l("Username: use letters, digits, '.', '_' or '-'.")),
        ],
    )
    email = StringField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=list(ROLES), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    # strip_whitespace=False: Optional() would otherwise take a password of tabs or spaces for "left empty" and skip every check
    password = PasswordField(
        _l("Password"), validators=[Optional(strip_whitespace=False), Length(min=8, max=256), _acceptable_password]
    )


def _valid_timezone(form, field):
    """Only IANA zone names that zoneinfo knows (webapp.validation.check_timezone)."""
    try:
        check_timezone(field.data)
    except InvalidParameter as refused:
        raise ValidationError(refused.message) from None


class TenantSettingsForm(FlaskForm):
    """Institution name, zone, language, SLA targets and report retention."""

    name = StringField(_l("Institution name"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64), _valid_timezone])
    locale = SelectField(_l("Default language"), choices=[SelectChoice("ko", "한국어"), SelectChoice("en", "English")])
    currency = SelectField(_l("Currency"), validate_choice=False)
    sla_p1 = WholeNumberField(_l("SLA P1 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p2 = WholeNumberField(_l("SLA P2 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p3 = WholeNumberField(_l("SLA P3 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    sla_p4 = WholeNumberField(_l("SLA P4 (hours)"), validators=[InputRequired(), NumberRange(min=1, max=8760)])
    report_retention_days = WholeNumberField(
        _l("Keep reports for (days)"), validators=[InputRequired(), NumberRange(min=1, max=3650)]
    )
