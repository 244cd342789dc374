"""Setting and removing budgets: one per tenant, month and scope (ALL or a service), audited."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..analytics.periods import check_month, check_service, check_year, checked
from ..audit import record
from ..extensions import db
from ..models import Budget
from ..costs.validation import parse_amount


def clean_budget(data: Mapping) -> tuple[dict, dict[str, str]]:
    """Check year, month, service (ALL or a service) and amount ≥ 0; returns (values, {field: message})."""
    return checked({
        "year": lambda: check_year(data.get("year")),
        "month": lambda: check_month(data.get("month")),
        "service": lambda: check_service(data.get("service"), allow_all=True),
        "amount": lambda: parse_amount(data.get("amount")),
    })


def find_budget(tenant_id: int, year: int, month: int, service: str) -> Budget | None:
    """The budget of one scope and month, if set."""
    return db.session.scalar(select(Budget).where(Budget.tenant_id == tenant_id, Budget.year == year,
                                                  Budget.month == month, Budget.service == service))


def budget_ids(tenant_id: int, year: int, month: int) -> dict[str, int]:
    """{scope: budget id} of a month (for the remove buttons)."""
    return dict(db.session.execute(select(Budget.service, Budget.id).where(
        Budget.tenant_id == tenant_id, Budget.year == year, Budget.month == month)).all())


def set_budget(user, values: dict) -> tuple[Budget, bool]:
    """Create or update the budget of (year, month, service); returns (budget, created). Other scopes are untouched."""
    for _attempt in range(2):
        budget = find_budget(user.tenant_id, values["year"], values["month"], values["service"])
        if budget is not None:
            old = budget.amount
            budget.amount = values["amount"]
            record("update", "budget", budget.id, user=user, year=budget.year, month=budget.month, service=budget.service,
                   amount=[old, budget.amount])
            db.session.commit()
            return budget, False
        budget = Budget(tenant_id=user.tenant_id, created_by_id=user.id, **values)
        db.session.add(budget)
        try:
            db.session.flush()
        except IntegrityError:  # someone set the same scope a moment ago: update theirs instead
            db.session.rollback()
            continue
        record("create", "budget", budget.id, user=user, year=budget.year, month=budget.month, service=budget.service,
               amount=budget.amount)
        db.session.commit()
        return budget, True
    raise RuntimeError("budget could not be saved")


def remove_budget(budget: Budget, user) -> None:
    """Delete a budget (the scope goes back to NO_BUDGET) and audit it."""
    record("delete", "budget", budget.id, user=user, year=budget.year, month=budget.month, service=budget.service,
           amount=budget.amount)
    db.session.delete(budget)
    db.session.commit()
