"""AI saving advice and budget alerts

cost_advice keeps each analysis of a month (the figures' fingerprint, who answered — the model
or the rules — and the text), so an unchanged month is not asked again.  budget_watches holds the
usage level each budget last reached (unique per scope, so a crossing is told once),
budget_alerts the crossings, budget_alert_recipients who was told and when.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from webapp.models.types import Money, UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0006'
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

    op.create_table('budget_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'kind', 'year', 'month', 'service', name='uq_budget_watches_scope')
    )
    op.create_table('budget_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=True),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('threshold_pct', sa.Integer(), nullable=False),
    sa.Column('usage_pct', sa.Numeric(precision=9, scale=1), nullable=True),
    sa.Column('budget_amount', Money(), nullable=False),
    sa.Column('actual_amount', Money(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('budget_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_budget_alerts_tenant_year', ['tenant_id', 'year', 'id'], unique=False)

    op.create_table('budget_alert_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['budget_alerts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'email', name='uq_budget_alert_recipients_email')
    )
    with op.batch_alter_table('budget_alert_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_alert_recipients_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('budget_alert_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_alert_recipients_tenant_id'))
    op.drop_table('budget_alert_recipients')
    with op.batch_alter_table('budget_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_alerts_tenant_year')
    op.drop_table('budget_alerts')
    op.drop_table('budget_watches')
    with op.batch_alter_table('cost_advice', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_advice_tenant_month')
    op.drop_table('cost_advice')
