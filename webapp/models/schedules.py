"""Report schedules, the runs the scheduler claims, and the e-mails each run sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

RUN_STATUSES = ("QUEUED", "DONE", "FAILED", "SKIPPED", "DELIVERY_FAILED")  # DELIVERY_FAILED: built, e-mails failed
RUN_TRIGGERS = ("CRON", "MANUAL")
DELIVERY_STATUSES = ("PENDING", "SENT", "FAILED")
DELIVERY_KINDS = ("LINK", "NOTICE")  # the report link, or the owner's failure notice


class ReportSchedule(db.Model):
    """A cron schedule that generates one report template and e-mails it to its recipients."""

    __tablename__ = "report_schedules"
    __table_args__ = (Index("ix_report_schedules_due", "active", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    template: Mapped[str] = mapped_column(String(32))
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    skip_when_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner = relationship("User")


class ScheduleRun(db.Model):
    """One firing of a schedule; the unique (schedule, slot) pair is what makes a slot run exactly once."""

    __tablename__ = "schedule_runs"
    __table_args__ = (
        UniqueConstraint("schedule_id", "scheduled_for", name="uq_schedule_runs_slot"),
        Index("ix_schedule_runs_tenant_created", "tenant_id", "created_at"),
        Index("ix_schedule_runs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedules.id", ondelete="CASCADE"))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(8), default="CRON")
    status: Mapped[str] = mapped_column(String(16), default="QUEUED")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    schedule = relationship("ReportSchedule")
    report = relationship("Report")


class EmailDelivery(db.Model):
    """One e-mail to one recipient about one report; unique so it is never sent twice."""

    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("report_id", "kind", "recipient", name="uq_email_deliveries_report_recipient"),
        UniqueConstraint("run_id", "kind", "recipient", name="uq_email_deliveries_run_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_runs.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="LINK")
    recipient: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(8), default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
