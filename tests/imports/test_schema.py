"""Migration 0011: import batches exist and cost_entries keeps its rollup triggers (SQLite rebuilds the table)."""

from decimal import Decimal

from sqlalchemy import select

from webapp.models import CostEntry, CostMonthlyTotal, ImportBatch


def test_batch_rows_still_feed_the_monthly_totals(db, tenant):
    batch = ImportBatch(tenant_id=tenant.id, kind="costs", file_name="a.csv", size=10, sha256="0" * 64, format="csv")
    db.session.add(batch)
    db.session.flush()
    db.session.add(
        CostEntry(
            tenant_id=tenant.id,
            code="COST-20260101-AAAAAA",
            year=2026,
            month=1,
            category="SERVER",
            service="MES",
            amount=Decimal("10.50"),
            batch_id=batch.id,
            charge_category="Usage",
            line_count=3,
        )
    )
    db.session.commit()
    total = db.session.scalar(select(CostMonthlyTotal).where(CostMonthlyTotal.tenant_id == tenant.id))
    assert (total.amount, total.item_count) == (Decimal("10.50"), 1)
    db.session.execute(CostEntry.__table__.delete().where(CostEntry.batch_id == batch.id))
    db.session.commit()
    db.session.expire_all()
    total = db.session.scalar(select(CostMonthlyTotal).where(CostMonthlyTotal.tenant_id == tenant.id))
    assert (total.amount, total.item_count) == (Decimal("0.00"), 0)
