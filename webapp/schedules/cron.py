"""Cron expressions evaluated in a schedule's time zone, with daylight-saving changes handled.

A 5-field expression matches wall-clock times in the zone.  Those times become instants so
that no slot is lost and none is doubled when the clocks change:

* a time that does not exist (the clocks jumped forward over it) fires at the same moment
  one hour later on the new clock — 02:30 on the spring-forward night in New York fires at
  03:30 EDT, once;
* a time that exists twice (the clocks went back) fires once, at its first occurrence,
  unless the hour field is '*' (an hourly or more frequent job), which fires in both
  occurrences because both hours really pass.

All instants are returned as aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadDateError, croniter

FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
MONTH_NAMES = {
    name: number
    for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
WEEKDAY_NAMES = {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
ITEM = re.compile(r"^(?:\*|(?P<start>[A-Za-z0-9]+)(?:-(?P<end>[A-Za-z0-9]+))?)(?:/(?P<step>[0-9]+))?$", re.ASCII)
# How far around an instant a clock change can reach back or forward (the largest real DST shift is 2 h).
DST_REACH = timedelta(hours=3)


class CronError(ValueError):
    """An expression that is not a valid 5-field cron; `field` is the index of the offending field or None."""

    def __init__(self, message: str, field: int | None = None):
        super().__init__(message)
        self.field = field


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone with this IANA name, or None when there is no such zone."""
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name this machine knows (read once)."""
    return frozenset(available_timezones())


def zone_choices() -> list[str]:
    """Zone names for a picker, sorted."""
    return sorted(_zone_names())


def field_value(token: str, index: int) -> int:
    """One value of field `index`, names allowed for months and weekdays (ValueError otherwise)."""
    names = MONTH_NAMES if index == 3 else WEEKDAY_NAMES if index == 4 else {}
    if token.lower() in names:
        return names[token.lower()]
    if not (token.isascii() and token.isdigit()):
        raise ValueError(token)
    return int(token)


def check_field(text: str, index: int) -> None:
    """Raise CronError unless one field is a valid list of *, n, a-b and /step items in range."""
    low, high = FIELD_RANGES[index]
    for item in text.split(","):
        match = ITEM.match(item)
        if not match:
            raise CronError(f"bad item {item!r}", index)
        try:
            values = [field_value(v, index) for v in (match["start"], match["end"]) if v is not None]
        except ValueError as exc:
            raise CronError(f"bad value {exc.args[0]!r}", index) from None
        if any(v < low or v > high for v in values):
            raise CronError(f"{item!r} is outside {low}-{high}", index)
        if len(values) == 2 and values[0] > values[1]:
            raise CronError(f"range {item!r} runs backwards", index)
        if match["step"] is not None and not 1 <= int(match["step"]) <= high - low + 1:
            raise CronError(f"a step of {match['step']} (use 1 to {high - low + 1})", index)


def parse(expression: str) -> list[str]:
    """The five fields of a valid expression (CronError otherwise)."""
    fields = (expression or "").split()
    if len(fields) != 5:
        raise CronError(f"expected 5 fields, got {len(fields)}")
    for index, text in enumerate(fields):
        check_field(text, index)
    if not croniter.is_valid(" ".join(fields)):
        raise CronError("not a valid expression")
    try:
        croniter(" ".join(fields), datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        raise CronError("never matches a real date", 2) from None
    return fields


def normalise(expression: str) -> str:
    """The expression with single spaces between fields."""
    return " ".join(parse(expression))


def _hourly(expression: str) -> bool:
    """True when the hour field is '*' (the job runs every hour, so a repeated hour runs again)."""
    return expression.split()[1] == "*"


def _instants(naive: datetime, zone: ZoneInfo, hourly: bool) -> list[datetime]:
    """The UTC instants at which one matching wall-clock time fires (see the module docstring)."""
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return [first]
    exists = first.astimezone(zone).replace(tzinfo=None) == naive
    if not exists:  # skipped by a jump forward: fold=0 reads it with the old offset, i.e. one hour later
        return [max(first, second)]
    return [first, second] if hourly else [first]


def _stable(zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    """True when the zone's UTC offset is the same at both ends (no clock change in between)."""
    return start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset()


def next_fire(expression: str, zone_name: str, after: datetime) -> datetime:
    """The first instant strictly after `after` at which the expression fires in the zone."""
    zone = ZoneInfo(zone_name)
    wall = after.astimezone(zone).replace(tzinfo=None)
    candidate_wall = croniter(expression, wall).get_next(datetime)
    candidate = candidate_wall.replace(tzinfo=zone).astimezone(UTC)
    if _stable(zone, after - DST_REACH, after) and _stable(zone, candidate - DST_REACH, candidate + DST_REACH):
        return candidate
    return _next_fire_near_change(expression, zone, after, wall, candidate_wall)


def _next_fire_near_change(
    expression: str, zone: ZoneInfo, after: datetime, wall: datetime, candidate_wall: datetime
) -> datetime:
    """The careful path near a clock change: look at every match around it and keep the earliest."""
    hourly = _hourly(expression)
    iterator = croniter(expression, wall - DST_REACH)
    best: datetime | None = None
    limit = candidate_wall + DST_REACH
    while True:
        naive = iterator.get_next(datetime)
        if naive > limit or (best is not None and naive > best.astimezone(zone).replace(tzinfo=None) + DST_REACH):
            break
        for instant in _instants(naive, zone, hourly):
            if instant > after and (best is None or instant < best):
                best = instant
    if best is None:  # nothing within reach: the plain next match is the answer
        best = min(i for i in _instants(candidate_wall, zone, hourly))
    return best


def next_fires(expression: str, zone_name: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` instants after `after`."""
    instants = []
    current = after
    for _ in range(count):
        current = next_fire(expression, zone_name, current)
        instants.append(current)
    return instants


def latest_fire(expression: str, zone_name: str, now: datetime, not_before: datetime) -> datetime:
    """The last instant at or before `now` at which the expression fires, but not earlier than `not_before`.

    Used after downtime: of all the slots missed since `not_before`, only the latest one runs.
    """
    zone = ZoneInfo(zone_name)
    wall = now.astimezone(zone).replace(tzinfo=None)
    previous_wall = croniter(expression, wall + timedelta(seconds=1)).get_prev(datetime)
    guess = previous_wall.replace(tzinfo=zone).astimezone(UTC)
    if guess <= now and guess >= not_before and next_fire(expression, zone_name, guess) > now:
        return guess
    # Near a clock change (or when the guess fell outside the window): step forward from not_before.
    slot = not_before
    while True:
        following = next_fire(expression, zone_name, slot)
        if following > now:
            return slot
        slot = following
