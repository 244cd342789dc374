"""cost monthly totals: a per-month rollup of cost entries kept by triggers, and the cost-list index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:33:51.097768

Analytics (summary, trend, allocation, anomalies, budgets) and filtered totals read
cost_monthly_totals — a few dozen rows per month — instead of scanning every cost entry.
Database triggers keep it exact for every writer (pages, API, imports, COPY):
- PostgreSQL: statement-level triggers with transition tables (one grouped upsert per statement,
  so a bulk COPY costs one aggregate, not one upsert per row);
- SQLite: row-level triggers.
Amounts are Money on both sides, so on SQLite the trigger adds integer cents to integer cents.

Note for later migrations: a SQLite batch "move and copy" of cost_entries drops its triggers;
recreate them (create_sqlite_triggers below) in such a migration.
"""

from alembic import op
import sqlalchemy as sa
from webapp.models.types import Money, UTCDateTime  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

KEY = "tenant_id, year, month, service, category"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cost_monthly_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- Removal only updates existing rows: the insert that added these entries created them.
    UPDATE cost_monthly_totals AS t
       SET amount = t.amount - o.amount, item_count = t.item_count - o.item_count
      FROM (SELECT {KEY}, SUM(amount) AS amount, COUNT(*) AS item_count
              FROM old_rows GROUP BY {KEY}) AS o
     WHERE t.tenant_id = o.tenant_id AND t.year = o.year AND t.month = o.month
       AND t.service = o.service AND t.category = o.category;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO cost_monthly_totals ({KEY}, amount, item_count)
    SELECT {KEY}, SUM(amount), COUNT(*) FROM new_rows GROUP BY {KEY} ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE
       SET amount = cost_monthly_totals.amount + EXCLUDED.amount,
           item_count = cost_monthly_totals.item_count + EXCLUDED.item_count;
  END IF;
  RETURN NULL;
END $$;
"""
PG_TRIGGERS = """
CREATE TRIGGER trg_cost_totals_insert AFTER INSERT ON cost_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cost_monthly_totals_apply();
CREATE TRIGGER trg_cost_totals_update AFTER UPDATE ON cost_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cost_monthly_totals_apply();
CREATE TRIGGER trg_cost_totals_delete AFTER DELETE ON cost_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cost_monthly_totals_apply();
"""

_SQLITE_ADD = f"""
  INSERT INTO cost_monthly_totals ({KEY}, amount, item_count)
  VALUES (NEW.tenant_id, NEW.year, NEW.month, NEW.service, NEW.category, NEW.amount, 1)
  ON CONFLICT ({KEY}) DO UPDATE SET amount = amount + excluded.amount, item_count = item_count + 1;"""
_SQLITE_REMOVE = """
  UPDATE cost_monthly_totals SET amount = amount - OLD.amount, item_count = item_count - 1
   WHERE tenant_id = OLD.tenant_id AND year = OLD.year AND month = OLD.month
     AND service = OLD.service AND category = OLD.category;"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER trg_cost_totals_insert AFTER INSERT ON cost_entries BEGIN{_SQLITE_ADD}\nEND",
    f"CREATE TRIGGER trg_cost_totals_update AFTER UPDATE OF tenant_id, year, month, service, category, amount "
    f"ON cost_entries BEGIN{_SQLITE_REMOVE}{_SQLITE_ADD}\nEND",
    f"CREATE TRIGGER trg_cost_totals_delete AFTER DELETE ON cost_entries BEGIN{_SQLITE_REMOVE}\nEND",
]
TRIGGER_NAMES = ("trg_cost_totals_insert", "trg_cost_totals_update", "trg_cost_totals_delete")


def create_sqlite_triggers():
    """(Re)create the SQLite triggers; later migrations that rebuild cost_entries call this."""
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    op.create_table('cost_monthly_totals',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'year', 'month', 'service', 'category')
    )
    with op.batch_alter_table('cost_entries', schema=None) as batch_op:
        batch_op.create_index('ix_cost_entries_tenant_period_id', ['tenant_id', 'year', 'month', 'id'], unique=False)

    # Backfill from the entries that exist already, then keep it current with triggers.
    op.execute(f"INSERT INTO cost_monthly_totals ({KEY}, amount, item_count) "
               f"SELECT {KEY}, SUM(amount), COUNT(*) FROM cost_entries GROUP BY {KEY}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGERS)
    else:
        create_sqlite_triggers()


def downgrade():
    for name in TRIGGER_NAMES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON cost_entries")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cost_monthly_totals_apply()")
    with op.batch_alter_table('cost_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_entries_tenant_period_id')

    op.drop_table('cost_monthly_totals')
