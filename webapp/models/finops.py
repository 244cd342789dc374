"""Cost entries, budgets, and the server inventory they can point at."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import Money, UTCDateTime, utcnow

# Code → Korean label; the order is the order shown in forms and tables.
CATEGORIES = {
    "SERVER": "서버 운영비",
    "NETWORK": "네트워크/통신비",
    "STORAGE": "스토리지 비용",
    "LICENSE": "소프트웨어 라이선스",
    "MAINTENANCE": "유지보수비",
    "PERSONNEL": "인건비",
    "OTHER": "기타",
}
SERVICES = ("MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER")
BUDGET_SCOPE_ALL = "ALL"
# FOCUS ChargeCategory values an imported cost keeps, in their stored spelling (typed-in costs have none);
# those whose amounts may be below zero (credits given, corrections).
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
NEGATIVE_CHARGES = ("Credit", "Adjustment")
CHARGE_BY_NAME = {code.lower(): code for code in CHARGE_CATEGORIES}  # any case → the stored spelling


def local_code_date(now: datetime | None = None, zone: str | None = None) -> str:
    """YYYYMMDD of `now` (default: the current time) in the time zone (the tenant's; UTC when none is given)."""
    now = now or utcnow()
    return f"{now.astimezone(ZoneInfo(zone)) if zone else now:%Y%m%d}"


def new_cost_code(now: datetime | None = None, zone: str | None = None) -> str:
    """COST-YYYYMMDD-XXXXXX: the creation date in the tenant's time zone and six upper-case hex characters."""
    return f"COST-{local_code_date(now, zone)}-{secrets.token_hex(3).upper()}"


class Server(db.Model):
    """A server (asset) that costs can be linked to."""

    __tablename__ = "servers"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_servers_tenant_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(16), default="OTHER")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL", name="fk_servers_batch_id"), index=True
    )


class ServerMetric(db.Model):
    """A server's average utilisation over one month (percent)."""

    __tablename__ = "server_metrics"
    __table_args__ = (
        UniqueConstraint("server_id", "year", "month", name="uq_server_metrics_month"),
        Index("ix_server_metrics_tenant_month", "tenant_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    server_id: Mapped[int] = mapped_column(ForeignKey("servers.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    cpu_avg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    memory_avg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    disk_avg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL", name="fk_server_metrics_batch_id"), index=True
    )

    server: Mapped[Server] = relationship()


class CostEntry(db.Model):
    """One IT cost for a month, by category and service."""

    __tablename__ = "cost_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", name="uq_cost_entries_tenant_code"),
        # Filtered list pages read their ids from this index alone (migration 0008).
        Index("ix_cost_entries_tenant_period_service_category", "tenant_id", "year", "month", "service", "category", "id"),
        # Only entries that name a server, and only imported credits, adjustments and tax (migration 0012):
        # every index costs each write, and a million-row import pays it a million times.
        Index(
            "ix_cost_entries_server",
            "server_id",
            postgresql_where=text("server_id IS NOT NULL"),
            sqlite_where=text("server_id IS NOT NULL"),
        ),
        Index(
            "ix_cost_entries_tenant_period_charge",
            "tenant_id",
            "year",
            "month",
            "charge_category",
            postgresql_where=text("charge_category IS NOT NULL"),
            sqlite_where=text("charge_category IS NOT NULL"),
        ),
        # The cost list is shown newest first (year, month, id descending) within a tenant.
        Index("ix_cost_entries_tenant_period_id", "tenant_id", "year", "month", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text, default="")
    server_id: Mapped[int | None] = mapped_column(ForeignKey("servers.id", ondelete="SET NULL"))
    department: Mapped[str] = mapped_column(String(50), default="IT")
    original_amount: Mapped[Decimal | None] = mapped_column(Money)
    original_currency: Mapped[str | None] = mapped_column(String(3))
    # Imported entries: their batch, the FOCUS ChargeCategory (Usage, Purchase, Credit, Adjustment, Tax)
    # and how many file lines were summed into the entry.  batch_id has no foreign key (migration 0012):
    # the database would check it once per imported row; the pipeline creates the batch first and deletes
    # a batch row only when it stored nothing.
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    charge_category: Mapped[str | None] = mapped_column(String(16))
    line_count: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    server: Mapped[Server | None] = relationship()
    created_by = relationship("User")

    @property
    def may_be_negative(self) -> bool:
        """An imported credit or adjustment, or a refund line: its amount may stay below zero when it is edited."""
        return self.charge_category in NEGATIVE_CHARGES or (self.amount is not None and self.amount < 0)


class Budget(db.Model):
    """The budget of one month for the whole tenant (service ALL) or for one service."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("tenant_id", "year", "month", "service", name="uq_budgets_tenant_month_service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(16), default=BUDGET_SCOPE_ALL)
    amount: Mapped[Decimal] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CostMonthlyTotal(db.Model):
    """Sum and count of cost entries per tenant, month, service and category.

    Kept up to date by database triggers on cost_entries (migration 0005), so every way of
    writing costs (forms, API, imports, COPY) counts; the app only reads it.  Analytics and
    filtered totals read these few rows instead of scanning every cost entry.
    """

    __tablename__ = "cost_monthly_totals"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
