"""Server-side sign-in sessions: what makes sign-out, password changes and deactivation end a browser's access.

Each sign-in creates a UserSession row with a random key. Flask-Login's id is "user_id:key"
(User.get_id), so the Flask session cookie and the remember-me cookie both name that row, and
the user loader admits a cookie only while its row is live. Ending the row ends both cookies,
wherever they were copied to.

A change of a user's password, role or active flag ends all of that user's sessions, whichever
code path makes it (admin page, account page, CLI): a flush listener watches the User columns.
The code that changes one's own password names the session to keep (`keep_session`).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request, session
from sqlalchemy import delete, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import User, UserSession, hash_token, utcnow

log = logging.getLogger(__name__)

#: Columns whose change ends every session of the user.
SESSION_ENDING_COLUMNS = ("password_hash", "role", "active")
TOUCH_INTERVAL = timedelta(minutes=1)  # write last_seen_at at most this often, so reads stay cheap


def _max_age() -> timedelta:
    """The longest a session may live from sign-in: the remember-me duration (at most 30 days)."""
    return min(current_app.config["REMEMBER_COOKIE_DURATION"], timedelta(days=30))


def _idle_window(remember: bool) -> timedelta:
    """How long a session survives without use: until the remember-me cookie ends, or the idle timeout."""
    return _max_age() if remember else timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _expiry(row: UserSession, now: datetime) -> datetime:
    """Sliding expiry, bounded by the maximum age counted from sign-in."""
    return min(now + _idle_window(row.remember), row.created_at + _max_age())


def start_session(user: User, remember: bool) -> UserSession:
    """Create the server-side session of a sign-in and bind `user` to it (its get_id names the new key)."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        key_hash=hash_token(key),
        remember=bool(remember),
        created_at=now,
        last_seen_at=now,
        user_agent=(request.user_agent.string or "")[:256] if has_request_context() else "",
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    row.expires_at = _expiry(row, now)
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    g.user_session = row
    return row


def user_for_login_id(login_id: str) -> User | None:
    """The user loader: the active user of the live session named by "user_id:key", else None."""
    user_id, _, key = (login_id or "").partition(":")
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == hash_token(key))) if key else None
    now = utcnow()
    if row is None or str(row.user_id) != user_id or not row.is_live(now) or row.user is None or not row.user.is_active:
        _forget_cookies()
        return None
    _touch(row, now)
    row.user.session_key = key
    g.user_session = row
    return row.user


def _forget_cookies() -> None:
    """A refused session: drop its id from the Flask session and have the browser delete the remember-me cookie."""
    if has_request_context():
        session.pop("_user_id", None)
        session["_remember"] = "clear"


def _touch(row: UserSession, now: datetime) -> None:
    """Record use and slide the expiry, at most once a minute and never committing someone else's pending work."""
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return
    if db.session.new or db.session.dirty or db.session.deleted:
        return
    row.last_seen_at = now
    row.expires_at = _expiry(row, now)
    db.session.commit()


def current_session() -> UserSession | None:
    """The session row the current request was signed in with (None for bearer tokens and anonymous visitors)."""
    return g.get("user_session")


def end_session(row: UserSession, reason: str) -> None:
    """End one session (the caller commits)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.end_reason = reason


def end_all_sessions(user: User, reason: str) -> int:
    """End every live session of the user; returns how many ended (the caller commits)."""
    now = utcnow()
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now
    )
    return db.session.execute(
        statement.values(revoked_at=now, end_reason=reason).execution_options(synchronize_session="fetch")
    ).rowcount


def keep_session(user: User, row: UserSession | None) -> None:
    """Let the next password change of `user` keep this session (the person changing their own password)."""
    user.keep_session_id = row.id if row is not None else None


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still work, most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


# Checked in order: Edge and Whale also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("Whale/", "Whale"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """A short "browser · system" label for a User-Agent header, or the start of the header itself."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return user_agent[:40] or "—"


def own_session_or_none(user: User, session_id: int) -> UserSession | None:
    """One of the user's sessions by id; anyone else's is None."""
    row = db.session.get(UserSession, session_id)
    return row if row is not None and row.user_id == user.id else None


def purge_ended_sessions(now: datetime | None = None) -> int:
    """Delete session rows that ended (signed out, revoked or expired); returns how many."""
    now = now or utcnow()
    removed = db.session.execute(
        delete(UserSession).where(or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now))
    ).rowcount
    db.session.commit()
    return removed


def _changed_columns(user: User) -> list[str]:
    """The session-ending columns whose value this flush changes."""
    state = inspect(user)
    changed = []
    for column in SESSION_ENDING_COLUMNS:
        history = state.attrs[column].history
        if history.added and list(history.added) != list(history.deleted or ()):
            changed.append(column)
    return changed


def _end_reason(user: User, changed: list[str]) -> str:
    """What the ended session rows record as the cause."""
    if "active" in changed and not user.active:
        return "deactivated"
    if "role" in changed:
        return "role_change"
    return "password_change" if "password_hash" in changed else "reactivated"


@event.listens_for(Session, "after_flush")
def _end_sessions_on_account_change(session: Session, _flush_context) -> None:
    """A flushed change of a user's password, role or active flag ends that user's sessions."""
    for user in [obj for obj in session.dirty if isinstance(obj, User)]:
        changed = _changed_columns(user)
        user.sessions_ended = 0
        if not changed:
            continue
        now = utcnow()
        table = UserSession.__table__
        statement = table.update().where(table.c.user_id == user.id, table.c.revoked_at.is_(None), table.c.expires_at > now)
        if user.keep_session_id is not None and changed == ["password_hash"]:
            statement = statement.where(table.c.id != user.keep_session_id)
        result = session.connection().execute(statement.values(revoked_at=now, end_reason=_end_reason(user, changed)))
        user.sessions_ended = result.rowcount
        user.keep_session_id = None
        log.info("ended the sessions of user %s (%s)", user.id, ", ".join(changed))
