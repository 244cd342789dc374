"""report schedules, runs and e-mail deliveries

Schedules, the runs the scheduler claims (UNIQUE(schedule_id, scheduled_for) makes each slot run once),
the e-mails each run sends (unique per report/run, kind and recipient), and the foreign key from
reports.schedule_id to its schedule (SET NULL: deleting a schedule keeps its reports).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:38:35.442628

"""
from alembic import op
import sqlalchemy as sa
from webapp.models.types import Money, UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('template', sa.String(length=32), nullable=False),
    sa.Column('cron', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('skip_when_empty', sa.Boolean(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('next_run_at', UTCDateTime(), nullable=True),
    sa.Column('last_run_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_report_schedules_due', ['active', 'next_run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_schedules_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('schedule_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', UTCDateTime(), nullable=False),
    sa.Column('trigger', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedules.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'scheduled_for', name='uq_schedule_runs_slot')
    )
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_runs_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_schedule_runs_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_schedule_runs_tenant_created', ['tenant_id', 'created_at'], unique=False)

    op.create_table('email_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['schedule_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'kind', 'recipient', name='uq_email_deliveries_report_recipient'),
    sa.UniqueConstraint('run_id', 'kind', 'recipient', name='uq_email_deliveries_run_recipient')
    )
    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_deliveries_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_deliveries_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_deliveries_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_reports_schedule_id', 'report_schedules', ['schedule_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reports_schedule_id', type_='foreignkey')

    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_deliveries_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_email_deliveries_run_id'))
        batch_op.drop_index(batch_op.f('ix_email_deliveries_report_id'))

    op.drop_table('email_deliveries')
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_runs_tenant_created')
        batch_op.drop_index('ix_schedule_runs_status_created')
        batch_op.drop_index(batch_op.f('ix_schedule_runs_report_id'))

    op.drop_table('schedule_runs')
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_schedules_tenant_id'))
        batch_op.drop_index('ix_report_schedules_due')

    op.drop_table('report_schedules')
