"""Throw-away PostgreSQL databases for the test suite and the benchmarks."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp.config import normalise_database_url


def create_database(admin_url: str, prefix: str = "icr_scratch") -> str:
    """Create an empty database on the server of `admin_url` and return its URL."""
    admin = make_url(normalise_database_url(admin_url))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by create_database, closing its other sessions first."""
    name = make_url(url).database
    engine = create_engine(make_url(normalise_database_url(admin_url)), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()
