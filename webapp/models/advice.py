"""AI saving advice per tenant and month: one row per analysis, reused while the month's figures are unchanged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

ADVICE_STATUSES = ("QUEUED", "RUNNING", "DONE", "FAILED")
ADVICE_SOURCES = ("llm", "rules")


class CostAdvice(db.Model):
    """One analysis of a month: who asked, over which figures (fingerprint), what answered and its text."""

    __tablename__ = "cost_advice"
    __table_args__ = (Index("ix_cost_advice_tenant_month", "tenant_id", "year", "month", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="QUEUED")
    source: Mapped[str | None] = mapped_column(String(8))  # llm | rules, once DONE
    model: Mapped[str | None] = mapped_column(String(200))  # e.g. ollama/llama3 when the model wrote the text
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)  # why the rules answered (for the log and support)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def pending(self) -> bool:
        """True while the job has not finished."""
        return self.status in ("QUEUED", "RUNNING")
