"""Report periods (SPEC §5.2): on-demand defaults, the last complete period, and UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKLY, MONTHLY, QUARTERLY = "WEEKLY", "MONTHLY", "QUARTERLY"
PERIOD_KINDS = (WEEKLY, MONTHLY, QUARTERLY)


def _as_date(value: date | datetime) -> date:
    """Accept a date or a datetime (its own calendar date)."""
    return value.date() if isinstance(value, datetime) else value


def quarter_start(day: date) -> date:
    """The first day of the quarter containing `day`."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_before(day: date) -> tuple[date, date]:
    """The calendar month before the one containing `day`."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def period_default(kind: str, today: date | datetime) -> tuple[date, date]:
    """On demand: WEEKLY the 7 days before today to today; MONTHLY the 1st to today; QUARTERLY the quarter's first day to today."""
    today = _as_date(today)
    if kind == WEEKLY:
        return today - timedelta(days=7), today
    if kind == MONTHLY:
        return today.replace(day=1), today
    if kind == QUARTERLY:
        return quarter_start(today), today
    raise ValueError(f"unknown period kind {kind!r}; allowed: {', '.join(PERIOD_KINDS)}")


def period_last_complete(kind: str, run_date: date | datetime) -> tuple[date, date]:
    """Scheduled runs: the previous 7 days, the previous calendar month, or the previous quarter."""
    run_date = _as_date(run_date)
    if kind == WEEKLY:
        return run_date - timedelta(days=7), run_date - timedelta(days=1)
    if kind == MONTHLY:
        return month_before(run_date)
    if kind == QUARTERLY:
        end = quarter_start(run_date) - timedelta(days=1)
        return quarter_start(end), end
    raise ValueError(f"unknown period kind {kind!r}; allowed: {', '.join(PERIOD_KINDS)}")


def utc_bounds(start: date, end: date, zone_name: str) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in the zone, as aware UTC instants — the end day counts whole."""
    zone = ZoneInfo(zone_name)
    lower = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return lower, upper


def today_in(zone_name: str) -> date:
    """Today's date in the zone."""
    return datetime.now(ZoneInfo(zone_name)).date()


def days_in(start: date, end: date) -> list[date]:
    """Every date from start to end, both included."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


# --- on-demand presets (the report form) ---------------------------------------------------------

PRESETS = ("last_week", "last_month", "last_quarter", "this_month")


def preset_period(preset: str, today: date | datetime) -> tuple[date, date]:
    """The period a form preset means, given today in the tenant's zone.

    last_week: Monday to Sunday of the previous ISO week; last_month: the previous calendar month;
    last_quarter: the previous calendar quarter; this_month: the 1st of this month to today.
    """
    today = _as_date(today)
    if preset == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if preset == "last_month":
        return month_before(today)
    if preset == "last_quarter":
        end = quarter_start(today) - timedelta(days=1)
        return quarter_start(end), end
    if preset == "this_month":
        return today.replace(day=1), today
    raise ValueError(f"unknown period preset {preset!r}; allowed: {', '.join(PRESETS)}")
