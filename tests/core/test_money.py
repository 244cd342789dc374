"""Money is exact on every database: sums of 0.1 + 0.2 are 0.3, never 0.30000000000000004."""

from decimal import Decimal

from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from webapp.models import Money


def test_money_sums_exactly(db):
    metadata = MetaData()
    amounts = Table("money_probe", metadata, Column("id", Integer, primary_key=True), Column("amount", Money()))
    metadata.create_all(db.engine)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                insert(amounts),
                [{"amount": Decimal("0.1")}, {"amount": Decimal("0.2")}] * 1000 + [{"amount": Decimal("1234567890123.45")}],
            )
            total = conn.execute(select(func.sum(amounts.c.amount))).scalar_one()
            stored = conn.execute(select(amounts.c.amount).where(amounts.c.id == 1)).scalar_one()
        assert total == Decimal("1234567890423.45") and isinstance(total, Decimal)
        assert stored == Decimal("0.10")
    finally:
        metadata.drop_all(db.engine)
