"""The migrations build, tear down and rebuild the schema on SQLite and PostgreSQL."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from webapp import create_app
from webapp.extensions import db

from ..conftest import PG_ADMIN_URL, base_config, create_pg_database, drop_pg_database

EXPECTED_TABLES = {
    "tenants",
    "users",
    "api_tokens",
    "audit_logs",
    "cost_entries",
    "budgets",
    "servers",
    "server_metrics",
    "service_requests",
    "reports",
}


def _tables(app):
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
        return names


def _round_trip(url):
    app = create_app(base_config(url))
    with app.app_context():
        upgrade(revision="heads")
    assert EXPECTED_TABLES <= _tables(app)
    with app.app_context():
        downgrade(revision="base")
    assert _tables(app) <= {"alembic_version"}
    with app.app_context():
        upgrade(revision="heads")
    assert EXPECTED_TABLES <= _tables(app)
    with app.app_context():
        db.engine.dispose()


def test_migrations_up_down_up_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_migrations_up_down_up_on_postgresql():
    if not PG_ADMIN_URL:
        pytest.skip("PostgreSQL suite is off: set TEST_DATABASE_URL")
    url = create_pg_database("icr_migrations")
    try:
        _round_trip(url)
    finally:
        drop_pg_database(url)


def test_models_match_migrations(app):
    """Autogenerate finds nothing to add: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
    assert diff == []
