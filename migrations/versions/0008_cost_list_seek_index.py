"""cost list seek index: one covering index for the filtered cost list pages

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-01 19:40:00.000000

The cost list finds a page by seeking inside one month (the rollup says which month a page
starts in) and reads the page's ids from an index only.  Unfiltered, (tenant, year, month, id)
already does that.  Filtered by service, category or both, the ids must come from an index that
also holds service and category, otherwise every row of the month is read from the table.
(tenant, year, month, service, category, id) covers the three filter combinations; it starts with
the columns of ix_cost_entries_tenant_period_service, which it therefore replaces (same number of
indexes to maintain on writes and imports).
Plain op.create_index (no batch): a SQLite batch would rebuild cost_entries and drop its rollup triggers.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cost_entries_tenant_period_service_category', 'cost_entries',
                    ['tenant_id', 'year', 'month', 'service', 'category', 'id'], unique=False)
    op.drop_index('ix_cost_entries_tenant_period_service', table_name='cost_entries')


def downgrade():
    op.create_index('ix_cost_entries_tenant_period_service', 'cost_entries',
                    ['tenant_id', 'year', 'month', 'service'], unique=False)
    op.drop_index('ix_cost_entries_tenant_period_service_category', table_name='cost_entries')
