"""Calendar months: arithmetic without day stepping, the tenant's current month, the analytics parameters' checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..validation import (  # the generic checks live in webapp/validation.py; re-exported for older imports
    CENT,
    YEAR_MAX,
    YEAR_MIN,
    InvalidParameter,
    check_month,
    check_service,
    check_whole_number,
    check_year,
    checked,
    decimal_number,
)

__all__ = [
    "YEAR_MIN",
    "YEAR_MAX",
    "InvalidParameter",
    "checked",
    "check_year",
    "check_month",
    "check_trend_months",
    "check_threshold",
    "check_service",
    "add_months",
    "previous_month",
    "month_span",
    "period_label",
    "current_month",
    "month_from_args",
    "percent",
    "change_percent",
    "share_of",
]

TREND_MONTHS_MIN, TREND_MONTHS_MAX = 1, 24
THRESHOLD_MIN, THRESHOLD_MAX = Decimal(5), Decimal(200)
ONE_DECIMAL = Decimal("0.1")


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """The calendar month `delta` months after (or before) year-month."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The calendar month before; January goes back to December of the previous year."""
    return add_months(year, month, -1)


def month_span(end: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """`count` consecutive calendar months ending with `end`, oldest first."""
    return [add_months(end[0], end[1], offset) for offset in range(-(count - 1), 1)]


def period_label(year: int, month: int) -> str:
    """2025-01."""
    return f"{year:04d}-{month:02d}"


def current_month(timezone_name: str | None) -> tuple[int, int]:
    """This month in the given time zone (the tenant's; Asia/Seoul when unset)."""
    now = datetime.now(ZoneInfo(timezone_name or "Asia/Seoul"))
    return now.year, now.month


def month_from_args(args: Mapping, timezone_name: str | None) -> tuple[int, int, dict[str, str]]:
    """(year, month, errors) from ?year=&month=; an absent or refused value stays this month in the zone.

    Pages show the errors above the figures (422), the API refuses with them (400).
    """
    checks = {"year": check_year, "month": check_month}
    values, errors = checked({name: partial(check, args[name]) for name, check in checks.items() if args.get(name)})
    year, month = current_month(timezone_name)
    return values.get("year", year), values.get("month", month), errors


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole × 100 with one decimal (half up); 0 when whole is 0."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def change_percent(current: Decimal, previous: Decimal) -> Decimal:
    """(current − previous) / previous × 100 with one decimal; 0 when previous is 0."""
    if not previous:
        return Decimal("0.0")
    return percent(Decimal(current) - Decimal(previous), previous)


def share_of(amount: Decimal, fraction: str) -> Decimal:
    """A fraction of an amount as money (two places, half up)."""
    return (Decimal(amount) * Decimal(fraction)).quantize(CENT, rounding=ROUND_HALF_UP)


def check_trend_months(months) -> int:
    """The number of trend months, 1–24, or InvalidParameter('months')."""
    return check_whole_number(
        "months",
        months,
        minimum=TREND_MONTHS_MIN,
        maximum=TREND_MONTHS_MAX,
        message=_("months: must be a whole number from 1 to 24."),
    )


def check_threshold(threshold) -> Decimal:
    """The anomaly threshold in percent, 5–200 (ASCII digits, e.g. 30 or 12.5), or InvalidParameter('threshold')."""
    value = decimal_number(threshold)
    if value is None or not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
        raise InvalidParameter("threshold", _("threshold: must be a percentage from 5 to 200."))
    return value
