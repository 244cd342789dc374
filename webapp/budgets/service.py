"""Setting, removing and copying budgets: one per tenant, month and scope (ALL or a service), audited.

After each commit the budget alerts of the months touched are checked in the background (budgets_changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..models import Budget, utcnow
from ..schedules.sql import insert_on_conflict
from ..validation import InvalidParameter, check_month, check_service, check_year, checked, parse_amount
from .alerts import budgets_changed


def clean_budget(data: Mapping) -> tuple[dict, dict[str, str]]:
    """Check year, month, service (ALL or a service) and amount ≥ 0; returns (values, {field: message})."""
    return checked(
        {
            "year": lambda: check_year(data.get("year")),
            "month": lambda: check_month(data.get("month")),
            "service": lambda: check_service(data.get("service"), allow_all=True),
            "amount": lambda: parse_amount(data.get("amount")),
        }
    )


def find_budget(tenant_id: int, year: int, month: int, service: str) -> Budget | None:
    """The budget of one scope and month, if set."""
    return db.session.scalar(
        select(Budget).where(Budget.tenant_id == tenant_id, Budget.year == year, Budget.month == month, Budget.service == service)
    )


def budget_ids(tenant_id: int, year: int, month: int) -> dict[str, int]:
    """{scope: budget id} of a month (for the remove buttons)."""
    return dict(
        db.session.execute(
            select(Budget.service, Budget.id).where(Budget.tenant_id == tenant_id, Budget.year == year, Budget.month == month)
        ).all()
    )


def set_budget(user, values: dict) -> tuple[Budget, bool]:
    """Create or update the budget of (year, month, service); returns (budget, created). Other scopes are untouched."""
    for _attempt in range(2):
        budget = find_budget(user.tenant_id, values["year"], values["month"], values["service"])
        if budget is not None:
            old = budget.amount
            budget.amount = values["amount"]
            record(
                "update",
                "budget",
                budget.id,
                user=user,
                year=budget.year,
                month=budget.month,
                service=budget.service,
                amount=[old, budget.amount],
            )
            db.session.commit()
            budgets_changed(budget.tenant_id, [(budget.year, budget.month)])
            return budget, False
        budget = Budget(tenant_id=user.tenant_id, created_by_id=user.id, **values)
        db.session.add(budget)
        try:
            db.session.flush()
        except IntegrityError:  # someone set the same scope a moment ago: update theirs instead
            db.session.rollback()
            continue
        record(
            "create",
            "budget",
            budget.id,
            user=user,
            year=budget.year,
            month=budget.month,
            service=budget.service,
            amount=budget.amount,
        )
        db.session.commit()
        budgets_changed(budget.tenant_id, [(budget.year, budget.month)])
        return budget, True
    raise RuntimeError("budget could not be saved")


def remove_budget(budget: Budget, user) -> None:
    """Delete a budget (the scope goes back to NO_BUDGET) and audit it."""
    record(
        "delete",
        "budget",
        budget.id,
        user=user,
        year=budget.year,
        month=budget.month,
        service=budget.service,
        amount=budget.amount,
    )
    tenant_id, month = budget.tenant_id, (budget.year, budget.month)
    db.session.delete(budget)
    db.session.commit()
    budgets_changed(tenant_id, [month])


# --- copying last year's budgets ---------------------------------------------------------------

COPY_EVERY_SCOPE = "*"
SCALE_MIN, SCALE_MAX = Decimal("-99"), Decimal("1000")


@dataclass(frozen=True)
class CopyResult:
    """What a copy did: budgets created, and months left alone because they already had one."""

    copied: int
    kept: int
    source_year: int


def check_copy_scope(scope) -> str:
    """'*' (every scope), ALL or a service."""
    text = (scope or COPY_EVERY_SCOPE).strip().upper()
    return COPY_EVERY_SCOPE if text == COPY_EVERY_SCOPE else check_service(text, allow_all=True)


def check_scale(scale) -> Decimal:
    """The change in percent applied to the copied amounts (−99 to 1000, blank = 0), or InvalidParameter('scale_pct')."""
    text = str(scale if scale is not None else "").strip().replace("%", "").replace("+", "")
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not SCALE_MIN <= value <= SCALE_MAX:
        raise InvalidParameter("scale_pct", _("scale_pct: a change in percent from -99 to 1000, e.g. 3 or -5."))
    return value


def clean_copy(data: Mapping) -> tuple[dict, dict[str, str]]:
    """Check the target year, the scope ('*', ALL or a service) and the scale; returns (values, {field: message})."""
    return checked(
        {
            "year": lambda: check_year(data.get("year")),
            "scope": lambda: check_copy_scope(data.get("scope")),
            "scale_pct": lambda: check_scale(data.get("scale_pct")),
        }
    )


def scaled_amount(amount: Decimal, scale_pct: Decimal, currency: str = "KRW") -> Decimal:
    """amount × (1 + scale_pct / 100), rounded half up to the currency's smallest unit (whole won for KRW)."""
    unit = Decimal(1).scaleb(-get_currency_precision(currency))
    return (Decimal(amount) * (100 + scale_pct) / 100).quantize(unit, rounding=ROUND_HALF_UP)


def copy_last_year(user, year: int, scope: str = COPY_EVERY_SCOPE, scale_pct: Decimal = Decimal(0)) -> CopyResult:
    """Copy year − 1's monthly budgets (every scope or one) into `year`, scaled; months with a budget are left alone."""
    source_year = year - 1
    query = select(Budget.month, Budget.service, Budget.amount).where(
        Budget.tenant_id == user.tenant_id, Budget.year == source_year
    )
    if scope != COPY_EVERY_SCOPE:
        query = query.where(Budget.service == scope)
    sources = db.session.execute(query.order_by(Budget.service, Budget.month)).all()
    currency = user.tenant.currency or "KRW"
    now = utcnow()
    rows = [
        {
            "tenant_id": user.tenant_id,
            "year": year,
            "month": month,
            "service": service,
            "amount": scaled_amount(amount, scale_pct, currency),
            "created_by_id": user.id,
            "created_at": now,
            "updated_at": now,
        }
        for month, service, amount in sources
    ]
    copied = []
    table = Budget.__table__
    for row in rows:  # the unique (tenant, year, month, service) leaves a month that has a budget untouched
        inserted = db.session.execute(
            insert_on_conflict(table).values(row).on_conflict_do_nothing().returning(table.c.month, table.c.service)
        ).first()
        if inserted is not None:
            copied.append(inserted)
    result = CopyResult(copied=len(copied), kept=len(rows) - len(copied), source_year=source_year)
    record(
        "copy",
        "budget",
        None,
        user=user,
        from_year=source_year,
        to_year=year,
        scope=scope,
        scale_pct=str(scale_pct),
        copied=result.copied,
        kept=result.kept,
    )
    db.session.commit()
    if copied:
        budgets_changed(user.tenant_id, [(year, month) for month, _service in copied])
    return result
