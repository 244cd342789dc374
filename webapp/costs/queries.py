"""The filtered cost list: filter parsing, one page of rows, and the filtered count and total."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import joinedload

from ..analytics.charges import ChargeBreakdown, charge_breakdown
from ..extensions import db
from ..models import CATEGORIES, CHARGE_BY_NAME, CHARGE_CATEGORIES, CostEntry, CostMonthlyTotal, Server, User
from ..pagination import PAGE_SIZE
from ..validation import InvalidParameter, check_code, check_id, check_month, check_service, check_year, checked, shown

# Filter fields that are columns of the monthly rollup; `server` and `charge` are not, so with either of them
# the list counts entries instead.
ROLLUP_FIELDS = ("year", "month", "service", "category")


def check_charge(raw) -> str:
    """A FOCUS charge category, any case (Credit, credit, CREDIT), in its stored spelling."""
    found = CHARGE_BY_NAME.get(str(raw).strip().lower())
    if found is None:
        raise InvalidParameter(
            "charge",
            _(
                "%(field)s: unknown value '%(value)s'; use one of %(allowed)s.",
                field="charge",
                value=shown(raw),
                allowed=", ".join(CHARGE_CATEGORIES),
            ),
        )
    return found


@dataclass
class CostFilter:
    """year / month / service / category / server (a server id) / charge (a FOCUS charge category); None means "any"."""

    year: int | None = None
    month: int | None = None
    service: str | None = None
    category: str | None = None
    server: int | None = None
    charge: str | None = None
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_args(cls, args: Mapping) -> CostFilter:
        """Read the query string; a bad value is reported in `errors` and not applied."""
        checks = {
            "year": check_year,
            "month": check_month,
            "service": check_service,
            "category": lambda raw: check_code("category", raw, tuple(CATEGORIES)),
            "server": partial(check_id, "server"),
            "charge": check_charge,
        }
        raw = {name: (args.get(name) or "").strip() for name in checks}
        values, errors = checked({name: partial(check, raw[name]) for name, check in checks.items() if raw[name]})
        return cls(**values, errors=errors)

    def as_args(self) -> dict:
        """The filter as query arguments (for links and exports)."""
        return {k: v for k, v in asdict(self).items() if k != "errors" and v is not None}

    def conditions(self, model) -> list:
        """SQL conditions on cost_entries, or on the rollup (which has no server or charge: see `uses_rollup`)."""
        columns = {"server": "server_id", "charge": "charge_category"}
        return [
            getattr(model, columns.get(name, name)) == value
            for name, value in self.as_args().items()
            if model is CostEntry or name in ROLLUP_FIELDS
        ]

    @property
    def uses_rollup(self) -> bool:
        """Whether counts and totals can come from the monthly rollup (not when filtered by server or charge category)."""
        return self.server is None and self.charge is None

    def slug(self) -> str:
        """A short file-name part such as 2025-01_ERP."""
        parts = []
        if self.year:
            parts.append(f"{self.year}" + (f"-{self.month:02d}" if self.month else ""))
        elif self.month:
            parts.append(f"m{self.month:02d}")
        parts += [p for p in (self.service, self.category) if p]
        if self.server:
            parts.append(f"server{self.server}")
        if self.charge:
            parts.append(self.charge)
        return "_".join(parts) or "all"


def filtered_totals(tenant_id: int, costs: CostFilter) -> tuple[int, Decimal]:
    """(count, amount) of the filtered costs, from the monthly rollup (no scan of the entries; by server, the entries)."""
    if not costs.uses_rollup:
        months = month_counts(tenant_id, costs)
        amount = sum((row[3] for row in months), Decimal("0"))
        return sum(row[2] for row in months), amount.quantize(Decimal("0.01"))
    count, amount = db.session.execute(
        select(
            func.coalesce(func.sum(CostMonthlyTotal.item_count), 0), func.coalesce(func.sum(CostMonthlyTotal.amount), 0)
        ).where(CostMonthlyTotal.tenant_id == tenant_id, *costs.conditions(CostMonthlyTotal))
    ).one()
    return int(count), Decimal(amount).quantize(Decimal("0.01"))


def filtered_breakdown(tenant_id: int, costs: CostFilter, net: Decimal) -> ChargeBreakdown:
    """Charges, credits, adjustments, tax and refunds of the filtered costs whose net total is `net`.

    One GROUP BY charge_category over the filtered entries that have a charge category (imported
    FOCUS bills); for a tenant or filter without any it finds no row and nothing is shown.
    """
    return charge_breakdown(tenant_id, net, *costs.conditions(CostEntry))


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
        """How many pages the filtered list has (at least one, even when empty)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1


@dataclass(frozen=True)
class MonthSlice:
    """The part of one page that lies in one month of `count` costs: skip `skip` of them (newest first), take `take`."""

    year: int
    month: int
    count: int
    skip: int
    take: int

    @property
    def after(self) -> int:
        """How many of the month's costs come after the slice (older ones)."""
        return self.count - self.skip - self.take


def newest_first() -> tuple:
    """The list order: newest period first, then newest entry first (ids are unique, so ties never reorder)."""
    return CostEntry.year.desc(), CostEntry.month.desc(), CostEntry.id.desc()


def month_counts(tenant_id: int, costs: CostFilter) -> list[tuple[int, int, int, Decimal]]:
    """(year, month, count, amount) of every month with filtered costs, newest first, from the rollup.

    A server filter is not in the rollup: its months are counted on the entries (ix_cost_entries_server).
    """
    if not costs.uses_rollup:
        rows = db.session.execute(
            select(CostEntry.year, CostEntry.month, func.count(CostEntry.id), func.sum(CostEntry.amount))
            .where(CostEntry.tenant_id == tenant_id, *costs.conditions(CostEntry))
            .group_by(CostEntry.year, CostEntry.month)
            .order_by(CostEntry.year.desc(), CostEntry.month.desc())
        )
        return [(year, month, int(count), Decimal(amount)) for year, month, count, amount in rows if count]
    rows = db.session.execute(
        select(
            CostMonthlyTotal.year,
            CostMonthlyTotal.month,
            func.sum(CostMonthlyTotal.item_count),
            func.sum(CostMonthlyTotal.amount),
        )
        .where(CostMonthlyTotal.tenant_id == tenant_id, *costs.conditions(CostMonthlyTotal))
        .group_by(CostMonthlyTotal.year, CostMonthlyTotal.month)
        .order_by(CostMonthlyTotal.year.desc(), CostMonthlyTotal.month.desc())
    )
    return [(year, month, int(count), Decimal(amount)) for year, month, count, amount in rows if count]


def page_slices(months: list[tuple], offset: int, limit: int) -> list[MonthSlice]:
    """Where rows offset … offset+limit of the list lie, month by month (months newest first, with their counts)."""
    slices, before, wanted = [], 0, limit
    for year, month, count, _amount in months:
        if before + count > offset:
            skip = max(offset - before, 0)
            take = min(count - skip, wanted)
            slices.append(MonthSlice(year, month, count, skip, take))
            wanted -= take
            if not wanted:
                break
        before += count
    return slices


def _page_ids(tenant_id: int, costs: CostFilter, slices: list[MonthSlice]):
    """The ids of one page: per month an equality seek on (tenant, year, month[, service, category]) ordered by id.

    OFFSET on the whole list walks every earlier row (page 2,000 walks 50,000); the rollup
    tells which month a page starts in, so each part skips rows of one month only, on an index,
    and from whichever end of the month is nearer (at most half a month).
    """
    parts = []
    for part in slices:
        from_oldest = part.after < part.skip
        parts.append(
            select(CostEntry.id)
            .where(
                CostEntry.tenant_id == tenant_id,
                CostEntry.year == part.year,
                CostEntry.month == part.month,
                *costs.conditions(CostEntry),
            )
            .order_by(CostEntry.id.asc() if from_oldest else CostEntry.id.desc())
            .offset(part.after if from_oldest else part.skip)
            .limit(part.take)
            .subquery()
        )
    return union_all(*(select(part.c.id) for part in parts)).subquery() if len(parts) > 1 else parts[0]


# ?sort= of the cost list: the columns people sort by (ties in id order, so pages never overlap)
SORTS = {
    "period": (CostEntry.year, CostEntry.month),
    "amount": (CostEntry.amount,),
    "category": (CostEntry.category,),
    "service": (CostEntry.service,),
}
DIRECTIONS = ("asc", "desc")


def first_direction(column: str) -> str:
    """The direction a column sorts in first: names A→Z, periods and amounts largest first."""
    return "asc" if column in ("category", "service") else "desc"


@dataclass(frozen=True)
class CostSort:
    """The list's order: a column of SORTS and a direction; no column is the default, newest first."""

    column: str | None = None
    direction: str = "desc"

    @classmethod
    def from_args(cls, args: Mapping) -> tuple[CostSort, dict[str, str]]:
        """?sort=&dir= checked; a refused value is reported and the default order kept."""
        column = str(args.get("sort") or "").strip().lower()
        direction = str(args.get("dir") or "").strip().lower()
        errors = {}
        if column and column not in SORTS:
            errors["sort"] = _("Sort: choose one of %(allowed)s.", allowed=", ".join(SORTS))
            column = ""
        if direction and direction not in DIRECTIONS:
            errors["dir"] = _("Direction: choose asc or desc.")
            direction = ""
        return cls(column or None, direction or first_direction(column)), errors

    def as_args(self) -> dict:
        return {"sort": self.column, "dir": self.direction} if self.column else {}

    def toggled(self, column: str) -> dict:
        """The arguments of a column header's link: that column, the other direction when it is the current one."""
        if column == self.column:
            return {"sort": column, "dir": "asc" if self.direction == "desc" else "desc"}
        return {"sort": column, "dir": first_direction(column)}

    def order_by(self) -> tuple:
        columns = SORTS[self.column] + (CostEntry.id,)
        return tuple(column.asc() if self.direction == "asc" else column.desc() for column in columns)


def cost_page(
    tenant_id: int, costs: CostFilter, page: int = 1, per_page: int = PAGE_SIZE, sort: CostSort | None = None
) -> CostPage:
    """One page of the filtered list (clamped to the pages there are) with its author and server, plus count and total.

    The count, the total and where the page starts come from the monthly rollup; the page's
    rows are then found by id on an index and fetched with their author and server (a deferred join).
    A list sorted by a column (`sort`) is read with ORDER BY column, id and an offset instead.
    """
    months = month_counts(tenant_id, costs)
    total = sum(count for _year, _month, count, _amount in months)
    amount = sum((amount for *_key, amount in months), Decimal("0")).quantize(Decimal("0.01"))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = []
    if sort is not None and sort.column and total:
        items = (
            db.session.scalars(
                select(CostEntry)
                .where(CostEntry.tenant_id == tenant_id, *costs.conditions(CostEntry))
                .options(joinedload(CostEntry.created_by), joinedload(CostEntry.server))
                .order_by(*sort.order_by())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
            .unique()
            .all()
        )
        return CostPage(items=items, page=page, per_page=per_page, total=total, total_amount=amount)
    slices = page_slices(months, (page - 1) * per_page, per_page)
    if slices:
        ids = _page_ids(tenant_id, costs, slices)
        items = (
            db.session.scalars(
                select(CostEntry)
                .join(ids, CostEntry.id == ids.c.id)
                .options(joinedload(CostEntry.created_by), joinedload(CostEntry.server))
                .order_by(*newest_first())
            )
            .unique()
            .all()
        )
    return CostPage(items=items, page=page, per_page=per_page, total=total, total_amount=amount)


def export_query(tenant_id: int, costs: CostFilter, *columns):
    """SELECT `columns` of every filtered cost in list order, with the server and author joined (both export paths)."""
    return (
        select(*columns)
        .select_from(CostEntry)
        .outerjoin(Server, Server.id == CostEntry.server_id)
        .outerjoin(User, User.id == CostEntry.created_by_id)
        .where(CostEntry.tenant_id == tenant_id, *costs.conditions(CostEntry))
        .order_by(*newest_first())
    )


EXPORT_COLUMNS = (
    CostEntry.code,
    CostEntry.year,
    CostEntry.month,
    CostEntry.category,
    CostEntry.service,
    CostEntry.amount,
    CostEntry.description,
    CostEntry.department,
    Server.name,
    User.username,
    CostEntry.created_at,
)


def export_rows(tenant_id: int, costs: CostFilter, connection=None):
    """Every filtered cost as a tuple for export, streamed in batches (on `connection`, else the request's session)."""
    query = export_query(tenant_id, costs, *EXPORT_COLUMNS).execution_options(yield_per=2000)
    return (connection or db.session).execute(query)


def tenant_servers(tenant_id: int) -> list[tuple[int, str]]:
    """(id, name) of the tenant's servers for the optional server link."""
    return list(db.session.execute(select(Server.id, Server.name).where(Server.tenant_id == tenant_id).order_by(Server.name)))


def years_with_costs(tenant_id: int) -> list[int]:
    """Years that have costs, newest first (from the rollup)."""
    return list(
        db.session.scalars(
            select(CostMonthlyTotal.year)
            .where(CostMonthlyTotal.tenant_id == tenant_id, CostMonthlyTotal.item_count > 0)
            .distinct()
            .order_by(CostMonthlyTotal.year.desc())
        )
    )
