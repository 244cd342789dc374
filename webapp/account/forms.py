"""Forms of the account page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError


def _printable(form, field):
    """Refuse control characters (NUL, tabs, line breaks): they cannot be typed at sign-in and break storage."""
    if any(ord(character) < 32 or ord(character) == 127 for character in field.data or ""):
        raise ValidationError(_l("New password: use printable characters only."))


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Current password: enter your current password.")), Length(max=256)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("New password: enter at least 8 characters.")),
            Length(min=8, max=256, message=_l("New password: enter 8 to 256 characters.")),
            _printable,
        ],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("New password again: repeat the new password.")),
            EqualTo("new_password", message=_l("New password again: the two new passwords differ.")),
        ],
    )
