"""Import batches: one uploaded file (costs, service requests, servers) and what it stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

IMPORT_KINDS = ("costs", "srs", "servers")
# PENDING: stored, waiting for the background job; RUNNING: reading/validating/committing;
# DONE: rows stored; FAILED: refused (errors) or broken, nothing stored; UNDONE: its rows removed again.
IMPORT_STATUSES = ("PENDING", "QUEUED", "RUNNING", "DONE", "FAILED", "UNDONE")


class ImportBatch(db.Model):
    """One imported file; every row it stored carries its id (batch_id), so undo removes exactly those rows."""

    __tablename__ = "import_batches"
    __table_args__ = (
        Index("ix_import_batches_tenant_created", "tenant_id", "created_at"),
        Index("ix_import_batches_tenant_sha256", "tenant_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))  # csv or xlsx
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="PENDING")
    rows: Mapped[int] = mapped_column(Integer, default=0)  # data rows read from the file
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # the first errors: [{"row", "column", "message"}]
    message: Mapped[str | None] = mapped_column(String(500))  # why the whole file was refused, if it was
    progress: Mapped[int] = mapped_column(Integer, default=0)  # rows processed so far
    undo_data: Mapped[dict | None] = mapped_column(JSON)  # what undo needs besides batch_id (SRs it updated)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_id])
