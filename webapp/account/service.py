"""What the account page does: change one's own password, end one's own sessions."""

from __future__ import annotations

from ..audit import record
from ..auth.sessions import end_all_sessions, end_session, keep_session
from ..extensions import db
from ..models import User, UserSession


def change_own_password(user: User, new_password: str, current: UserSession | None) -> int:
    """Set the user's new password, ending every other session and keeping `current`; returns how many ended."""
    keep_session(user, current)
    user.set_password(new_password)
    db.session.flush()  # the flush listener ends the other sessions and counts them
    ended = user.sessions_ended
    record("change_password", "user", user.id, sessions_ended=ended)
    db.session.commit()
    return ended


def sign_out_everywhere(user: User) -> int:
    """End all of the user's sessions, this one included; returns how many ended."""
    ended = end_all_sessions(user, "sign_out_everywhere")
    record("sign_out_everywhere", "user", user.id, sessions_ended=ended)
    db.session.commit()
    return ended


def end_own_session(user: User, row: UserSession) -> None:
    """End one of the user's sessions (another browser or device)."""
    end_session(row, "ended_by_user")
    record("end_session", "user_session", row.id, user_id=user.id)
    db.session.commit()
