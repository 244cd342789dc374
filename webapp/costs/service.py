"""Creating, changing and deleting cost entries, each with its audit row in the same commit.

After each commit the budget alerts of the months touched are checked in the background (costs_changed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..audit import record
from ..budgets.alerts import costs_changed
from ..extensions import db
from ..models import CostEntry, new_cost_code, utcnow

EDITABLE = ("year", "month", "category", "service", "amount", "description", "department", "server_id")


def _unused_code(tenant_id: int, zone: str, now: datetime) -> str:
    """A COST-YYYYMMDD-XXXXXX code (the date in the tenant's zone) not yet used in the tenant (retries the rare collision)."""
    for _attempt in range(10):
        code = new_cost_code(now, zone)
        if db.session.scalar(select(CostEntry.id).where(CostEntry.tenant_id == tenant_id, CostEntry.code == code)) is None:
            return code
    raise RuntimeError("could not find a free cost code")


def unused_codes(tenant_id: int, zone: str, count: int, now: datetime | None = None) -> list[str]:
    """`count` distinct COST-YYYYMMDD-XXXXXX codes of one day, none used in the tenant yet (for seeding many at once).

    Six hex characters give 16.7 million codes a day; drawing hundreds at once collides often
    enough (the birthday effect) that codes must be checked against each other, not only the table.
    """
    now = now or utcnow()
    prefix = new_cost_code(now, zone)[:-6]
    taken = set(
        db.session.scalars(select(CostEntry.code).where(CostEntry.tenant_id == tenant_id, CostEntry.code.startswith(prefix)))
    )
    codes: list[str] = []
    while len(codes) < count:
        code = new_cost_code(now, zone)
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def create_cost(user, values: dict, now: datetime | None = None) -> CostEntry:
    """Store a checked cost for the user's tenant (created `now`, default the current time) and audit it."""
    now = now or utcnow()
    entry = CostEntry(
        tenant_id=user.tenant_id,
        code=_unused_code(user.tenant_id, user.tenant.timezone, now),
        created_by_id=user.id,
        created_at=now,
        **{field: values[field] for field in EDITABLE},
    )
    db.session.add(entry)
    db.session.flush()
    record(
        "create",
        "cost",
        entry.id,
        user=user,
        code=entry.code,
        year=entry.year,
        month=entry.month,
        category=entry.category,
        service=entry.service,
        amount=entry.amount,
    )
    db.session.commit()
    costs_changed(entry.tenant_id, [(entry.year, entry.month)])
    return entry


def update_cost(entry: CostEntry, user, values: dict) -> dict:
    """Apply checked values; audit the fields that changed as {field: [old, new]}."""
    changes = {field: [getattr(entry, field), values[field]] for field in EDITABLE if getattr(entry, field) != values[field]}
    months = {(entry.year, entry.month)}
    for field, (_old, new) in changes.items():
        setattr(entry, field, new)
    record("update", "cost", entry.id, user=user, code=entry.code, **changes)
    db.session.commit()
    costs_changed(entry.tenant_id, months | {(entry.year, entry.month)})
    return changes


def delete_cost(entry: CostEntry, user) -> None:
    """Delete a cost and audit what it was."""
    record(
        "delete",
        "cost",
        entry.id,
        user=user,
        code=entry.code,
        year=entry.year,
        month=entry.month,
        category=entry.category,
        service=entry.service,
        amount=entry.amount,
    )
    tenant_id, month = entry.tenant_id, (entry.year, entry.month)
    db.session.delete(entry)
    db.session.commit()
    costs_changed(tenant_id, [month])
