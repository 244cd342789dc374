"""The monthly rollup that analytics read stays equal to a GROUP BY over the cost entries."""

from decimal import Decimal as D

from sqlalchemy import delete, func, insert, select, update

from webapp.extensions import db
from webapp.models import CostEntry, CostMonthlyTotal, new_cost_code

from ..factories import add_cost


def raw_groups():
    rows = db.session.execute(
        select(
            CostEntry.tenant_id,
            CostEntry.year,
            CostEntry.month,
            CostEntry.service,
            CostEntry.category,
            func.sum(CostEntry.amount),
            func.count(),
        ).group_by(CostEntry.tenant_id, CostEntry.year, CostEntry.month, CostEntry.service, CostEntry.category)
    ).all()
    return {tuple(row[:5]): (row[5], row[6]) for row in rows}


def rollup_groups():
    rows = db.session.execute(
        select(
            CostMonthlyTotal.tenant_id,
            CostMonthlyTotal.year,
            CostMonthlyTotal.month,
            CostMonthlyTotal.service,
            CostMonthlyTotal.category,
            CostMonthlyTotal.amount,
            CostMonthlyTotal.item_count,
        ).where(CostMonthlyTotal.item_count > 0)
    ).all()
    return {tuple(row[:5]): (row[5], row[6]) for row in rows}


def test_rollup_follows_inserts_updates_and_deletes(tenant, other_tenant):
    first = add_cost(tenant, 2025, 1, "SERVER", "ERP", "100.10")
    second = add_cost(tenant, 2025, 1, "SERVER", "ERP", "0.20")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "5")
    assert rollup_groups() == raw_groups()
    assert rollup_groups()[(tenant.id, 2025, 1, "ERP", "SERVER")] == (D("100.30"), 2)

    first.month, first.service, first.amount = 2, "MES", D("7.77")
    db.session.commit()
    second.description = "only the text changed"
    db.session.commit()
    assert rollup_groups() == raw_groups()

    db.session.delete(second)
    db.session.commit()
    assert rollup_groups() == raw_groups()
    assert (tenant.id, 2025, 1, "ERP", "SERVER") not in rollup_groups()


def test_rollup_follows_bulk_statements(tenant):
    db.session.execute(
        insert(CostEntry),
        [
            {
                "tenant_id": tenant.id,
                "code": new_cost_code(),
                "year": 2024,
                "month": 1 + i % 12,
                "category": "LICENSE",
                "service": ("MES", "ERP", "INFRA")[i % 3],
                "amount": D("0.1") * (i + 1),
                "description": "",
                "department": "IT",
            }
            for i in range(300)
        ],
    )
    db.session.commit()
    assert rollup_groups() == raw_groups()
    db.session.execute(
        update(CostEntry).where(CostEntry.service == "MES").values(amount=CostEntry.amount + D("1.01"), service="BACKUP")
    )
    db.session.execute(delete(CostEntry).where(CostEntry.month == 3))
    db.session.commit()
    assert rollup_groups() == raw_groups()
    total = db.session.scalar(select(func.sum(CostMonthlyTotal.amount)).where(CostMonthlyTotal.tenant_id == tenant.id))
    assert total == db.session.scalar(select(func.sum(CostEntry.amount)))


def test_deleting_a_tenant_with_costs_keeps_the_rollup_consistent(factory):
    gone = factory.tenant("gone")
    add_cost(gone, 2025, 1, "SERVER", "ERP", "10")
    db.session.delete(gone)
    db.session.commit()  # cascades on PostgreSQL; the triggers must not make it fail
    assert rollup_groups() == raw_groups()


def test_cli_checks_and_rebuilds_the_rollup(runner, tenant, db):
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "100")
    assert runner.invoke(args=["costs", "check-totals"]).exit_code == 0
    db.session.execute(update(CostMonthlyTotal).values(amount=D("1")))  # damage it
    db.session.commit()
    broken = runner.invoke(args=["costs", "check-totals", "--tenant", "acme"])
    assert broken.exit_code == 1 and "1 group(s) differ" in broken.output
    assert "rebuilt 1" in runner.invoke(args=["costs", "rebuild-totals"]).output
    assert rollup_groups() == raw_groups()
    assert runner.invoke(args=["costs", "check-totals"]).exit_code == 0
