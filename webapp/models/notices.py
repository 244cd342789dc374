"""Notices: short messages to one user inside the app, for what they must know but cannot be e-mailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

NOTICE_KINDS = ("RUN_FAILED", "DELIVERY_FAILED", "EMAIL_FAILED")


class Notice(db.Model):
    """One message to one user (e.g. a scheduled run whose e-mails could not be sent); dismissed by setting read_at."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notices_user_key"),  # the same event is told once
        Index("ix_notices_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
