"""Tenants, users, their sign-in sessions, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime, utcnow

ROLES = ("ADMIN", "PM", "STAFF")
DEFAULT_TENANT_SETTINGS: dict[str, Any] = {
    "sla_hours": {"P1": 4, "P2": 8, "P3": 24, "P4": 72},
    "report_retention_days": 365,
}


def password_hash_method() -> str:
    """The hash for new passwords: scrypt in production; the test suite sets a cheap one to stay fast."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    return "scrypt"


class Tenant(db.Model):
    """An institution; every other row belongs to exactly one tenant."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="tenant")

    def setting(self, key: str) -> Any:
        """A tenant setting, falling back to the product default."""
        return (self.settings or {}).get(key, DEFAULT_TENANT_SETTINGS.get(key))


class User(UserMixin, db.Model):
    """A person who signs in; usernames are unique within a tenant."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username", name="uq_users_tenant_username"),
        CheckConstraint("role IN ('ADMIN', 'PM', 'STAFF')", name="ck_users_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="users", lazy="joined")

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sign-in for deactivated users."""
        return bool(self.active)

    def set_password(self, password: str) -> None:
        """Store a hash of the password (scrypt unless PASSWORD_HASH_METHOD says otherwise)."""
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        """True when the user's role is one of the given roles."""
        return self.role in roles

    # Per-request, never stored (see webapp.auth.sessions): the raw key of the session this object was
    # signed in with, the session a password change of one's own keeps, and how many the last change ended.
    session_key = None
    keep_session_id = None
    sessions_ended = 0

    def get_id(self) -> str:
        """Flask-Login's id, "user_id:session_key": the session and remember-me cookies name one revocable session."""
        return f"{self.id}:{self.session_key}" if self.session_key else str(self.id)

    def __eq__(self, other):
        """Two objects are the same user when their ids match (whatever session each was loaded for)."""
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    __hash__ = object.__hash__


def hash_token(raw: str) -> str:
    """API tokens are random and long, so a plain SHA-256 is a safe lookup hash."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token for the user; the raw value is returned once and never stored."""
        raw = "icr_" + secrets.token_urlsafe(32)
        token = cls(tenant_id=user.tenant_id, user_id=user.id, name=name, prefix=raw[:10], token_hash=hash_token(raw))
        db.session.add(token)
        return token, raw

    @property
    def is_revoked(self) -> bool:
        """True once the token has been revoked."""
        return self.revoked_at is not None


class UserSession(db.Model):
    """One signed-in browser: the cookies carry its random key, so ending the row ends the session everywhere."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str] = mapped_column(String(256), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship(lazy="joined")

    def is_live(self, now: datetime) -> bool:
        """True while the session is neither ended nor past its expiry."""
        return self.revoked_at is None and self.expires_at > now


class AuditLog(db.Model):
    """Who changed what, when; written in the same transaction as the change."""

    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
