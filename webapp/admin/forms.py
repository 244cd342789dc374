"""Forms for managing users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..models import ROLES


class UserForm(FlaskForm):
    """Create or edit a user of the current tenant."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64),
                           Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Username: use letters, digits, '.', '_' or '-'."))])
    email = StringField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=list(ROLES), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)])
