"""Calendar months: arithmetic without day stepping, the tenant's current month, input checks."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..validation import InvalidParameter

YEAR_MIN, YEAR_MAX = 2000, 2100
TREND_MONTHS_MIN, TREND_MONTHS_MAX = 1, 24
THRESHOLD_MIN, THRESHOLD_MAX = Decimal(5), Decimal(200)
ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


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


def checked(checks: Mapping[str, Callable[[], object]]) -> tuple[dict, dict[str, str]]:
    """Run every field's check: (the values that passed, {field: message} of those refused)."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except InvalidParameter as error:
            errors[field] = error.message
    return values, errors


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


def check_year(year) -> int:
    """A year as int within the supported range, or InvalidParameter('year')."""
    if year is None or str(year).strip() == "":
        raise InvalidParameter("year", _("year: required, a number from %(min)s to %(max)s.", min=YEAR_MIN, max=YEAR_MAX))
    try:
        value = int(str(year).strip())
    except ValueError:
        value = None
    if value is None or not YEAR_MIN <= value <= YEAR_MAX:
        raise InvalidParameter("year", _("year: must be a number from %(min)s to %(max)s.", min=YEAR_MIN, max=YEAR_MAX))
    return value


def check_month(month) -> int:
    """A month as int 1–12, or InvalidParameter('month')."""
    if month is None or str(month).strip() == "":
        raise InvalidParameter("month", _("month: required, a number from 1 to 12."))
    try:
        value = int(str(month).strip())
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 12:
        raise InvalidParameter("month", _("month: must be a number from 1 to 12."))
    return value


def check_trend_months(months) -> int:
    """The number of trend months, 1–24, or InvalidParameter('months')."""
    try:
        value = int(str(months).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not TREND_MONTHS_MIN <= value <= TREND_MONTHS_MAX:
        raise InvalidParameter("months", _("months: must be a whole number from 1 to 24."))
    return value


def check_threshold(threshold) -> Decimal:
    """The anomaly threshold in percent, 5–200, or InvalidParameter('threshold')."""
    try:
        value = Decimal(str(threshold).strip())
    except (InvalidOperation, TypeError, ValueError):
        value = None
    if value is None or not value.is_finite() or not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
        raise InvalidParameter("threshold", _("threshold: must be a percentage from 5 to 200."))
    return value


def check_service(service, *, allow_all: bool = False, required: bool = False) -> str | None:
    """A service code (upper-cased), "ALL" when allowed, or None when optional and empty."""
    from ..models import BUDGET_SCOPE_ALL, SERVICES

    text = (service or "").strip().upper()
    if not text:
        if required:
            raise InvalidParameter("service", _("service: required, one of %(allowed)s.", allowed=", ".join(
                ((BUDGET_SCOPE_ALL,) if allow_all else ()) + SERVICES)))
        return BUDGET_SCOPE_ALL if allow_all else None
    allowed = ((BUDGET_SCOPE_ALL,) if allow_all else ()) + SERVICES
    if text not in allowed:
        raise InvalidParameter("service", _("service: unknown value '%(value)s'; use one of %(allowed)s.",
                                            value=service, allowed=", ".join(allowed)))
    return text
