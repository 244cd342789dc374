"""import batches, and the batch each imported cost, SR, server and utilisation row came from

import_batches: one uploaded file (kind, name, size, SHA-256, options, counts, errors, progress).
batch_id (SET NULL) on cost_entries, service_requests, servers and server_metrics: undo deletes
exactly the rows of one batch.  cost_entries also keeps the FOCUS charge category and how many
file lines were summed into an imported entry.

On SQLite the batch rebuilds each table (a named foreign key cannot be added otherwise); rebuilding
cost_entries drops its rollup triggers, so they are created again from 0005 afterwards.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
from webapp.models.types import UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH_TABLES = ('cost_entries', 'service_requests', 'servers', 'server_metrics')


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('undo_data', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('undone_at', UTCDateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_import_batches_tenant_created', 'import_batches', ['tenant_id', 'created_at'], unique=False)
    op.create_index('ix_import_batches_tenant_sha256', 'import_batches', ['tenant_id', 'sha256'], unique=False)

    for table in BATCH_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_batch_id', 'import_batches', ['batch_id'], ['id'],
                                        ondelete='SET NULL')
            batch_op.create_index(f'ix_{table}_batch_id', ['batch_id'], unique=False)
            if table == 'cost_entries':
                batch_op.add_column(sa.Column('charge_category', sa.String(length=16), nullable=True))
                batch_op.add_column(sa.Column('line_count', sa.Integer(), nullable=True))
    if _sqlite():
        _m0005().create_sqlite_triggers()  # the batch rebuilt cost_entries, which drops its triggers


def _m0005():
    """Migration 0005 (its file name is not an importable module name), for its SQLite triggers."""
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location('m0005', pathlib.Path(__file__).with_name('0005_cost_monthly_totals.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    for table in BATCH_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'cost_entries':
                batch_op.drop_column('line_count')
                batch_op.drop_column('charge_category')
            batch_op.drop_index(f'ix_{table}_batch_id')
            batch_op.drop_constraint(f'fk_{table}_batch_id', type_='foreignkey')
            batch_op.drop_column('batch_id')
    if _sqlite():
        _m0005().create_sqlite_triggers()
    op.drop_index('ix_import_batches_tenant_sha256', table_name='import_batches')
    op.drop_index('ix_import_batches_tenant_created', table_name='import_batches')
    op.drop_table('import_batches')
