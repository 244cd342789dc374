"""SQL expressions the report queries need on both databases: elapsed seconds and local dates.

PostgreSQL does both natively.  SQLite stores UTC timestamps as text, so elapsed time uses
strftime('%s') and the local date uses a small SQL function registered on every SQLite
connection (zoneinfo does the conversion, so time zones with daylight saving stay exact).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_LOCAL_DATE = "icr_local_date"


class seconds_between(FunctionElement):
    """Whole seconds from the first timestamp to the second (later minus earlier)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(CAST(strftime('%s', {compiler.process(end, **kw)}) AS INTEGER)"
        f" - CAST(strftime('%s', {compiler.process(start, **kw)}) AS INTEGER))"
    )


class local_date(FunctionElement):
    """The calendar date of a UTC timestamp in a named time zone."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    column, zone = list(element.clauses)
    return f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(column, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    column, zone = list(element.clauses)
    return f"{SQLITE_LOCAL_DATE}({compiler.process(column, **kw)}, {compiler.process(zone, **kw)})"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    """Cached ZoneInfo lookup (the SQLite function calls it once per row)."""
    return ZoneInfo(name)


def _sqlite_local_date(value: str | None, zone_name: str) -> str | None:
    """SQLite function body: 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) → 'YYYY-MM-DD' in the zone."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return moment.astimezone(_zone(zone_name)).date().isoformat()


@event.listens_for(Engine, "connect")
def _register_sqlite_functions(dbapi_connection, _record):
    """Give every SQLite connection the local-date function."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_LOCAL_DATE, 2, _sqlite_local_date, deterministic=True)
