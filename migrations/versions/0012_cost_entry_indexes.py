"""cost entry indexes for large imports: one fewer to maintain on every write, and partial ones

Every cost entry written pays for each index on cost_entries; a million-row import spends most of
its time there.  (tenant, year, month, category) is covered by (tenant, year, month, service,
category, id) from 0008 for the cost list, and totals by category come from the rollup, so it goes.
The server index holds only entries that name a server (most imported entries do not); a query for
one server still uses it.  A partial index finds a month's imported credits, adjustments and tax.
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


def upgrade():
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
