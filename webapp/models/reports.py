"""Service requests (the data behind operational reports) and generated reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

SR_TYPES = ("REQUEST", "INCIDENT", "PROBLEM", "CHANGE")
SR_PRIORITIES = ("P1", "P2", "P3", "P4")
SR_STATUSES = ("OPEN", "IN_PROGRESS", "DONE", "CANCELLED")
REPORT_STATUSES = ("QUEUED", "RUNNING", "DONE", "FAILED")


class ServiceRequest(db.Model):
    """A service request (SR) from the ITSM tool or entered by hand."""

    __tablename__ = "service_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", name="uq_service_requests_tenant_code"),
        Index("ix_service_requests_tenant_created", "tenant_id", "created_at"),
        Index("ix_service_requests_tenant_resolved", "tenant_id", "resolved_at"),
        Index("ix_service_requests_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="OPEN")
    service: Mapped[str] = mapped_column(String(16), default="OTHER")
    description: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL", name="fk_service_requests_batch_id"), index=True
    )


class Report(db.Model):
    """A generated report: its request, its life (QUEUED → RUNNING → DONE/FAILED) and its immutable file."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_tenant_created", "tenant_id", "created_at"),
        Index("ix_reports_status_started", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="QUEUED")
    error: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    file_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    data_summary: Mapped[dict | None] = mapped_column(JSON)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_schedules.id", ondelete="SET NULL", name="fk_reports_schedule_id"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    generated_by = relationship("User")
