"""A plain-language description of a 5-field cron expression, in the UI language (Korean by default); the in_zone filter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .cron import FIELD_RANGES, field_value, parse

WEEKDAYS = (_l("Sunday"), _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"))
MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


def _values(text: str, index: int) -> list[int]:
    """Expand one field of a valid expression into its sorted values (names and Sunday-as-7 handled)."""
    low, high = FIELD_RANGES[index] if index != 4 else (0, 6)  # weekday 7 is only another name for Sunday
    found: set[int] = set()
    for item in text.split(","):
        base, _slash, step = item.partition("/")
        step_size = int(step) if step else 1
        if base == "*":
            start, end = low, high
        else:
            first, _dash, last = base.partition("-")
            start = field_value(first, index)
            end = field_value(last, index) if last else (high if step else start)
        for value in range(start, end + 1, step_size):
            found.add(0 if index == 4 and value == 7 else value)
    return sorted(found)


def _join(items: list[str]) -> str:
    """Items joined with the UI language's list separator."""
    return _(", ").join(items)


def _step(text: str) -> int | None:
    """n for a field written '*/n', else None."""
    if text.startswith("*/") and text[2:].isdigit():
        return int(text[2:])
    return None


def _time_part(minute: str, hour: str) -> str:
    """When during the day."""
    minutes, hours = _values(minute, 0), _values(hour, 1)
    if minute == "*" and hour == "*":
        return _("every minute")
    if _step(minute) and hour == "*":
        return _("every %(n)s minutes", n=_step(minute))
    if hour == "*":
        return _("every hour at minute %(minutes)s", minutes=_join([str(m) for m in minutes]))
    if minute == "*":
        return _("every minute during hour %(hours)s", hours=_join([str(h) for h in hours]))
    if len(minutes) * len(hours) <= 6:
        return _("at %(times)s", times=_join([f"{h:02d}:{m:02d}" for h in hours for m in minutes]))
    if _step(hour) and len(minutes) == 1:
        return _("every %(n)s hours at minute %(minute)s", n=_step(hour), minute=minutes[0])
    return _(
        "at minute %(minutes)s of hour %(hours)s", minutes=_join([str(m) for m in minutes]), hours=_join([str(h) for h in hours])
    )


def _weekday_part(values: list[int]) -> str:
    """Which days of the week."""
    if values == [1, 2, 3, 4, 5]:
        return _("on weekdays (Monday to Friday)")
    if values == [0, 6]:
        return _("on weekends")
    return _("every %(days)s", days=_join([str(WEEKDAYS[v]) for v in values]))


def _day_part(day_of_month: str, day_of_week: str) -> str:
    """Which days (cron runs on either field when both are restricted)."""
    month_days = [str(d) for d in _values(day_of_month, 2)]
    if day_of_month == "*" and day_of_week == "*":
        return _("every day")
    if day_of_month == "*":
        return _weekday_part(_values(day_of_week, 4))
    if day_of_week == "*":
        return _("on day %(days)s of the month", days=_join(month_days))
    return _(
        "on day %(days)s of the month or %(weekdays)s", days=_join(month_days), weekdays=_weekday_part(_values(day_of_week, 4))
    )


def describe(expression: str) -> str:
    """E.g. '매주 월요일 09:00에' for '0 9 * * 1' (CronError for an invalid expression)."""
    minute, hour, day_of_month, month, day_of_week = parse(expression)
    days = _day_part(day_of_month, day_of_week)
    time = _time_part(minute, hour)
    if month == "*":
        return _("%(days)s, %(time)s", days=days, time=time)
    months = _join([str(MONTHS[m - 1]) for m in _values(month, 3)])
    return _("in %(months)s, %(days)s, %(time)s", months=months, days=days, time=time)


def in_zone(value: datetime | None, zone: str) -> str:
    """A UTC instant shown in a given zone (not the tenant's): 2026-03-09 (월) 09:00 EDT."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d} ({format_date(local.date(), 'EEE')}) {local:%H:%M} {local.tzname()}"
