"""Budget alerts: the level each budget last reached, the alerts raised on a crossing, and who was told."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import Money, UTCDateTime, utcnow

ALERT_KINDS = ("USAGE", "FORECAST")


class BudgetWatch(db.Model):
    """The usage level a budget last reached (USAGE: 0, 90 or 110 for a month; FORECAST: 0 or 100 for a year).

    A crossing is told when the level rises; a fall lowers it again, so crossing once more is a new
    crossing.  The row is updated with a compare-and-set, so two checks never tell the same crossing.
    """

    __tablename__ = "budget_watches"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "year", "month", "service", name="uq_budget_watches_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)  # 0 for the year-end forecast
    service: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BudgetAlert(db.Model):
    """One crossing: a month's usage reached 90 % or 110 % of its budget, or the year-end forecast passed the annual budget."""

    __tablename__ = "budget_alerts"
    __table_args__ = (Index("ix_budget_alerts_tenant_year", "tenant_id", "year", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)  # None for the year-end forecast
    service: Mapped[str] = mapped_column(String(16))
    threshold_pct: Mapped[int] = mapped_column(Integer)  # 90, 110, or 100 for the forecast
    usage_pct: Mapped[Decimal | None] = mapped_column(Numeric(9, 1))  # None when the budget is zero
    budget_amount: Mapped[Decimal] = mapped_column(Money)
    actual_amount: Mapped[Decimal] = mapped_column(Money)  # the forecast, for a FORECAST alert
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipients: Mapped[list[BudgetAlertRecipient]] = relationship(back_populates="alert", order_by="BudgetAlertRecipient.id")


class BudgetAlertRecipient(db.Model):
    """One ADMIN or PM told about an alert by e-mail, and how the sending went."""

    __tablename__ = "budget_alert_recipients"
    __table_args__ = (UniqueConstraint("alert_id", "email", name="uq_budget_alert_recipients_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("budget_alerts.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(8), default="PENDING")  # PENDING, SENT, FAILED
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[BudgetAlert] = relationship(back_populates="recipients")
    user = relationship("User")
