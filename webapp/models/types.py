"""Column types: exact money on every database and time zone-aware UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Numeric(18, 2) as Decimal; on SQLite stored as integer cents so SUM() stays exact."""

    impl = Numeric(18, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        """Use integer cents where the database has no exact decimal type."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        """Decimal in, cents out on SQLite."""
        if value is None:
            return None
        value = Decimal(value).quantize(CENT)
        if dialect.name == "sqlite":
            return int(value * 100)
        return value

    def process_result_value(self, value, dialect):
        """Always hand back a Decimal with two places."""
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back time zone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        """Refuse naive datetimes; convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        """Attach UTC where the database dropped the zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
