"""in-app notices, and room for the DELIVERY_FAILED run status

notices: one message to one user inside the app (a scheduled run that failed, or whose e-mails
could not be sent — the owner's e-mail may be down as well); UNIQUE(user_id, key) tells each
event once.  schedule_runs.status grows from 8 to 16 characters for DELIVERY_FAILED.

Revision ID: 0007
Revises: 0008
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from webapp.models.types import UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('key', sa.String(length=100), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('read_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'key', name='uq_notices_user_key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_notices_user_read', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=8), type_=sa.String(length=16),
                              existing_nullable=False)


def downgrade():
    op.execute("UPDATE schedule_runs SET status = 'DONE' WHERE status = 'DELIVERY_FAILED'")
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=8),
                              existing_nullable=False)

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_user_read')
        batch_op.drop_index(batch_op.f('ix_notices_tenant_id'))

    op.drop_table('notices')
