"""INSERT … ON CONFLICT DO NOTHING for the session's database: how a slot is claimed and an e-mail queued once."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def insert_on_conflict(table):
    """An INSERT for `table` that offers on_conflict_do_nothing() on PostgreSQL and SQLite alike."""
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
