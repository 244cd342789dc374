"""cost entries for large imports: one index fewer, partial ones, and no foreign key on batch_id

Every cost entry written pays for each index on cost_entries; a million-row import spends most of
its time there.  (tenant, year, month, category) is covered by (tenant, year, month, service,
category, id) from 0008 for the cost list, and totals by category come from the rollup, so it goes.
The server index holds only entries that name a server (most imported entries do not); a query for
one server still uses it.  A partial index finds a month's imported credits, adjustments and tax.
batch_id loses its foreign key: PostgreSQL checks a foreign key once per row with a query, and an
import's rows all name the one batch it has just created (a million-row file paid about 8 s for it);
a batch row is only ever deleted when it never stored a row (a dry run), and a tenant's removal
cascades to both tables.  The batch_id index stays (undo deletes by it).
On SQLite the foreign key goes with a rebuild of the table, which drops its rollup triggers: they are
created again from 0005, as 0011 does.
Plain op.create_index (no batch): a SQLite batch would rebuild cost_entries and drop its rollup triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

HAS_SERVER = sa.text('server_id IS NOT NULL')
HAS_CHARGE = sa.text('charge_category IS NOT NULL')


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _m0005():
    """Migration 0005 (its file name is not an importable module name), for its SQLite triggers."""
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location('m0005', pathlib.Path(__file__).with_name('0005_cost_monthly_totals.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    with op.batch_alter_table('cost_entries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cost_entries_batch_id', type_='foreignkey')
    if _sqlite():
        _m0005().create_sqlite_triggers()  # the batch rebuilt cost_entries, which drops its triggers
    op.drop_index('ix_cost_entries_tenant_period_category', table_name='cost_entries')
    op.drop_index('ix_cost_entries_server', table_name='cost_entries')
    op.create_index('ix_cost_entries_server', 'cost_entries', ['server_id'], unique=False,
                    postgresql_where=HAS_SERVER, sqlite_where=HAS_SERVER)
    op.create_index('ix_cost_entries_tenant_period_charge', 'cost_entries',
                    ['tenant_id', 'year', 'month', 'charge_category'], unique=False,
                    postgresql_where=HAS_CHARGE, sqlite_where=HAS_CHARGE)


def downgrade():
    op.drop_index('ix_cost_entries_tenant_period_charge', table_name='cost_entries')
    op.drop_index('ix_cost_entries_server', table_name='cost_entries')
    op.create_index('ix_cost_entries_server', 'cost_entries', ['server_id'], unique=False)
    op.create_index('ix_cost_entries_tenant_period_category', 'cost_entries',
                    ['tenant_id', 'year', 'month', 'category'], unique=False)
    with op.batch_alter_table('cost_entries', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_cost_entries_batch_id', 'import_batches', ['batch_id'], ['id'],
                                    ondelete='SET NULL')
    if _sqlite():
        _m0005().create_sqlite_triggers()
