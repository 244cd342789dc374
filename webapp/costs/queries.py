"""The filtered cost list: filter parsing, one page of rows, and the filtered count and total."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..analytics.periods import check_month, check_service, check_year, checked
from ..extensions import db
from ..models import CATEGORIES, CostEntry, CostMonthlyTotal, Server, User
from .validation import check_code

PAGE_SIZE = 25


@dataclass
class CostFilter:
    """year / month / service / category; None means "any"."""

    year: int | None = None
    month: int | None = None
    service: str | None = None
    category: str | None = None
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_args(cls, args: Mapping) -> CostFilter:
        """Read the query string; a bad value is reported in `errors` and not applied."""
        checks = {"year": check_year, "month": check_month, "service": check_service,
                  "category": lambda raw: check_code("category", raw, tuple(CATEGORIES))}
        raw = {name: (args.get(name) or "").strip() for name in checks}
        values, errors = checked({name: partial(check, raw[name]) for name, check in checks.items() if raw[name]})
        return cls(**values, errors=errors)

    def as_args(self) -> dict:
        """The filter as query arguments (for links and exports)."""
        return {k: v for k, v in asdict(self).items() if k != "errors" and v is not None}

    def conditions(self, model) -> list:
        """SQL conditions on a table with year/month/service/category columns."""
        return [getattr(model, name) == value for name, value in self.as_args().items()]

    def slug(self) -> str:
        """A short file-name part such as 2025-01_ERP."""
        parts = []
        if self.year:
            parts.append(f"{self.year}" + (f"-{self.month:02d}" if self.month else ""))
        elif self.month:
            parts.append(f"m{self.month:02d}")
        parts += [p for p in (self.service, self.category) if p]
        return "_".join(parts) or "all"


def filtered_totals(tenant_id: int, costs: CostFilter) -> tuple[int, Decimal]:
    """(count, amount) of the filtered costs, from the monthly rollup (no scan of the entries)."""
    count, amount = db.session.execute(
        select(func.coalesce(func.sum(CostMonthlyTotal.item_count), 0), func.coalesce(func.sum(CostMonthlyTotal.amount), 0))
        .where(CostMonthlyTotal.tenant_id == tenant_id, *costs.conditions(CostMonthlyTotal))
    ).one()
    return int(count), Decimal(amount).quantize(Decimal("0.01"))


@dataclass
class CostPage:
    """One page of costs, shaped like Flask-SQLAlchemy's pagination for the pager macro."""

    items: list
    page: int
    per_page: int
    total: int
    total_amount: Decimal

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def ordered_costs(tenant_id: int, costs: CostFilter):
    """SELECT of the tenant's filtered costs, newest period first."""
    return (select(CostEntry).where(CostEntry.tenant_id == tenant_id, *costs.conditions(CostEntry))
            .order_by(CostEntry.year.desc(), CostEntry.month.desc(), CostEntry.id.desc()))


def cost_page(tenant_id: int, costs: CostFilter, page: int = 1, per_page: int = PAGE_SIZE) -> CostPage:
    """The page's rows with their author and server, plus the filtered count and total."""
    total, amount = filtered_totals(tenant_id, costs)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = []
    if total:
        items = db.session.scalars(
            ordered_costs(tenant_id, costs).options(joinedload(CostEntry.created_by), joinedload(CostEntry.server))
            .offset((page - 1) * per_page).limit(per_page)
        ).unique().all()
    return CostPage(items=items, page=page, per_page=per_page, total=total, total_amount=amount)


def export_rows(tenant_id: int, costs: CostFilter):
    """Every filtered cost as a tuple for export, streamed in batches (author and server names joined)."""
    query = (
        select(CostEntry.code, CostEntry.year, CostEntry.month, CostEntry.category, CostEntry.service, CostEntry.amount,
               CostEntry.description, CostEntry.department, Server.name, User.username, CostEntry.created_at)
        .outerjoin(Server, Server.id == CostEntry.server_id)
        .outerjoin(User, User.id == CostEntry.created_by_id)
        .where(CostEntry.tenant_id == tenant_id, *costs.conditions(CostEntry))
        .order_by(CostEntry.year.desc(), CostEntry.month.desc(), CostEntry.id.desc())
        .execution_options(yield_per=2000)
    )
    return db.session.execute(query)


def tenant_servers(tenant_id: int) -> list[tuple[int, str]]:
    """(id, name) of the tenant's servers for the optional server link."""
    return list(db.session.execute(select(Server.id, Server.name).where(Server.tenant_id == tenant_id).order_by(Server.name)))


def years_with_costs(tenant_id: int) -> list[int]:
    """Years that have costs, newest first (from the rollup)."""
    return list(db.session.scalars(select(CostMonthlyTotal.year).where(CostMonthlyTotal.tenant_id == tenant_id,
                                                                        CostMonthlyTotal.item_count > 0)
                                   .distinct().order_by(CostMonthlyTotal.year.desc())))
