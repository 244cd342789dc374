"""What the account page does: change one's own password, end one's own sessions, issue and revoke one's API tokens.

Each function checks its input (FieldErrors naming the field), writes the audit row and commits.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..audit import record
from ..auth.sessions import end_all_sessions, end_session, keep_session
from ..extensions import db
from ..models import ApiToken, User, UserSession, utcnow
from ..validation import FieldErrors

TOKEN_NAME_MAX = 100


def change_own_password(user: User, current_password: str, new_password: str, current: UserSession | None) -> int:
    """Set the user's new password, ending every other session and keeping `current`; returns how many ended.

    FieldErrors when the current password is wrong (key current_password: a guess, which the page's
    rate limit counts) or the new one is the same as the current one.
    """
    if not user.check_password(current_password):
        raise FieldErrors({"current_password": _("Current password: this is not your current password.")})
    if new_password == current_password:
        raise FieldErrors({"new_password": _("New password: choose a password different from the current one.")})
    keep_session(user, current)
    user.set_password(new_password)
    db.session.flush()  # the flush listener ends the other sessions and counts them
    ended = user.sessions_ended
    record("change_password", "user", user.id, user=user, sessions_ended=ended)
    db.session.commit()
    return ended


def sign_out_everywhere(user: User) -> int:
    """End all of the user's sessions, this one included; returns how many ended."""
    ended = end_all_sessions(user, "sign_out_everywhere")
    record("sign_out_everywhere", "user", user.id, user=user, sessions_ended=ended)
    db.session.commit()
    return ended


def end_own_session(user: User, row: UserSession) -> None:
    """End one of the user's sessions (another browser or device)."""
    end_session(row, "ended_by_user")
    record("end_session", "user_session", row.id, user=user, user_id=user.id)
    db.session.commit()


def issue_token(user: User, raw_name) -> tuple[ApiToken, str]:
    """A new API token of the user named `raw_name` (1–100 characters): (the row, the secret shown once)."""
    name = (raw_name or "").strip() if isinstance(raw_name, str) else ""
    if not name or len(name) > TOKEN_NAME_MAX:
        raise FieldErrors({"name": _("Name: enter 1 to 100 characters.")})
    token, secret = ApiToken.issue(user, name)
    db.session.flush()
    record("create", "api_token", token.id, user=user, name=name)
    db.session.commit()
    return token, secret


def revoke_token(user: User, token: ApiToken) -> None:
    """Revoke one of the user's tokens (it stops working at once); revoking a revoked token changes nothing."""
    if token.is_revoked:
        return
    token.revoked_at = utcnow()
    record("revoke", "api_token", token.id, user=user)
    db.session.commit()
