"""SQL over cost_monthly_totals, the per-month rollup that triggers keep in step with cost_entries.

Each function is one GROUP BY query; rows whose entries were all deleted (count 0) are ignored.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, func, insert, select, tuple_

from ..extensions import db
from ..models import Budget, CostEntry
from ..models import CostMonthlyTotal as T

ZERO = Decimal("0.00")


def _month(tenant_id: int, year: int, month: int):
    """Conditions for one tenant's month."""
    return (T.tenant_id == tenant_id, T.year == year, T.month == month, T.item_count > 0)


def month_total(tenant_id: int, year: int, month: int, service: str | None = None) -> tuple[Decimal, int]:
    """(amount, item count) of a month, optionally for one service."""
    query = select(func.coalesce(func.sum(T.amount), 0), func.coalesce(func.sum(T.item_count), 0)).where(
        *_month(tenant_id, year, month)
    )
    if service:
        query = query.where(T.service == service)
    amount, count = db.session.execute(query).one()
    return Decimal(amount or 0).quantize(ZERO), int(count or 0)


def month_by(tenant_id: int, year: int, month: int, dimension: str) -> dict[str, tuple[Decimal, int]]:
    """{code: (amount, item count)} per service or per category for a month."""
    column = getattr(T, dimension)
    rows = db.session.execute(
        select(column, func.sum(T.amount), func.sum(T.item_count)).where(*_month(tenant_id, year, month)).group_by(column)
    ).all()
    return {code: (Decimal(amount), int(count)) for code, amount, count in rows}


def month_cells(tenant_id: int, year: int, month: int) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """{(service, category): (amount, item count)} for a month (the rollup rows themselves)."""
    rows = db.session.execute(select(T.service, T.category, T.amount, T.item_count).where(*_month(tenant_id, year, month))).all()
    return {(service, category): (Decimal(amount), int(count)) for service, category, amount, count in rows}


def months_range(
    tenant_id: int, first: tuple[int, int], last: tuple[int, int], service: str | None = None
) -> dict[tuple[int, int], tuple[Decimal, int]]:
    """{(year, month): (amount, item count)} for the months from first to last inclusive."""
    query = (
        select(T.year, T.month, func.sum(T.amount), func.sum(T.item_count))
        .where(
            T.tenant_id == tenant_id,
            T.item_count > 0,
            tuple_(T.year, T.month) >= tuple_(*first),
            tuple_(T.year, T.month) <= tuple_(*last),
        )
        .group_by(T.year, T.month)
    )
    if service:
        query = query.where(T.service == service)
    return {(year, month): (Decimal(amount), int(count)) for year, month, amount, count in db.session.execute(query)}


def budgets_of_month(tenant_id: int, year: int, month: int) -> dict[str, Decimal]:
    """{service or "ALL": amount} of the budgets set for a month."""
    rows = db.session.execute(
        select(Budget.service, Budget.amount).where(Budget.tenant_id == tenant_id, Budget.year == year, Budget.month == month)
    ).all()
    return {service: Decimal(amount) for service, amount in rows}


def budget_amount(tenant_id: int, year: int, month: int, service: str) -> Decimal | None:
    """The budget of one scope ("ALL" or a service) for a month, or None when none is set."""
    return db.session.scalar(
        select(Budget.amount).where(
            Budget.tenant_id == tenant_id, Budget.year == year, Budget.month == month, Budget.service == service
        )
    )


def budgets_range(tenant_id: int, first: tuple[int, int], last: tuple[int, int], service: str) -> dict[tuple[int, int], Decimal]:
    """{(year, month): amount} of one scope's budgets for the months from first to last inclusive."""
    rows = db.session.execute(
        select(Budget.year, Budget.month, Budget.amount).where(
            Budget.tenant_id == tenant_id,
            Budget.service == service,
            tuple_(Budget.year, Budget.month) >= tuple_(*first),
            tuple_(Budget.year, Budget.month) <= tuple_(*last),
        )
    ).all()
    return {(year, month): Decimal(amount) for year, month, amount in rows}


def rebuild_monthly_totals(tenant_id: int | None = None) -> int:
    """Recompute the rollup from the cost entries (one tenant or all); returns the number of rollup rows.

    The triggers keep it exact; this is the repair tool for a database restored without them
    (run it while nobody is writing costs).
    """
    scope = [T.tenant_id == tenant_id] if tenant_id is not None else []
    db.session.execute(delete(T).where(*scope))
    source = select(
        CostEntry.tenant_id,
        CostEntry.year,
        CostEntry.month,
        CostEntry.service,
        CostEntry.category,
        func.sum(CostEntry.amount),
        func.count(),
    ).group_by(CostEntry.tenant_id, CostEntry.year, CostEntry.month, CostEntry.service, CostEntry.category)
    if tenant_id is not None:
        source = source.where(CostEntry.tenant_id == tenant_id)
    db.session.execute(
        insert(T).from_select(["tenant_id", "year", "month", "service", "category", "amount", "item_count"], source)
    )
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(T).where(*scope))


def rollup_differences(tenant_id: int | None = None) -> int:
    """How many (tenant, month, service, category) groups differ between the rollup and the entries."""
    keys = (CostEntry.tenant_id, CostEntry.year, CostEntry.month, CostEntry.service, CostEntry.category)
    raw = select(*keys, func.sum(CostEntry.amount).label("amount"), func.count().label("items")).group_by(*keys)
    if tenant_id is not None:
        raw = raw.where(CostEntry.tenant_id == tenant_id)
    actual = {tuple(row[:5]): (row[5], row[6]) for row in db.session.execute(raw)}
    kept_query = select(T.tenant_id, T.year, T.month, T.service, T.category, T.amount, T.item_count).where(T.item_count != 0)
    if tenant_id is not None:
        kept_query = kept_query.where(T.tenant_id == tenant_id)
    kept = {tuple(row[:5]): (row[5], row[6]) for row in db.session.execute(kept_query)}
    return sum(1 for key in actual.keys() | kept.keys() if actual.get(key) != kept.get(key))
