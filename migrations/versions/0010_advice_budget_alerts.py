"""AI saving advice and budget alerts

cost_advice keeps each analysis of a month (the figures' fingerprint, who answered — the model
or the rules — and the text), so an unchanged month is not asked again.

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from webapp.models.types import Money, UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cost_advice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cost_advice', schema=None) as batch_op:
        batch_op.create_index('ix_cost_advice_tenant_month', ['tenant_id', 'year', 'month', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cost_advice', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_advice_tenant_month')
    op.drop_table('cost_advice')
