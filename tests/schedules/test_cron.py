"""Cron in a schedule's zone: Seoul, and New York across both daylight-saving changes (no slot lost, none doubled)."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.schedules import cron
from webapp.schedules.describe import describe
from webapp.schedules.service import cron_error

UTC = UTC
NEW_YORK = ZoneInfo("America/New_York")


def fires_between(expression, zone, start, end):
    """Every firing instant in [start, end)."""
    found, current = [], start - timedelta(microseconds=1)
    while True:
        current = cron.next_fire(expression, zone, current)
        if current >= end:
            return found
        found.append(current)


def local_days(instants, zone=NEW_YORK):
    """How many firings fall on each local calendar day."""
    return Counter(i.astimezone(zone).date().isoformat() for i in instants)


def test_seoul_monday_nine_is_midnight_utc():
    fires = cron.next_fires("0 9 * * 1", "Asia/Seoul", datetime(2026, 11, 22, 12, tzinfo=UTC), 5)
    assert [f.isoformat() for f in fires] == [
        "2026-11-23T00:00:00+00:00",
        "2026-11-30T00:00:00+00:00",
        "2026-12-07T00:00:00+00:00",
        "2026-12-14T00:00:00+00:00",
        "2026-12-21T00:00:00+00:00",
    ]


def test_seoul_month_end_and_first_of_month():
    fires = cron.next_fires("30 8 1 * *", "Asia/Seoul", datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 2)
    # 08:30 KST on 1 January is 23:30 UTC on 31 December.
    assert [f.isoformat() for f in fires] == ["2026-12-31T23:30:00+00:00", "2027-01-31T23:30:00+00:00"]
    assert [f.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M") for f in fires] == [
        "2027-01-01 08:30",
        "2027-02-01 08:30",
    ]


def test_new_york_daily_job_in_the_skipped_hour_runs_once_in_march():
    fires = fires_between(
        "30 2 * * *", "America/New_York", datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 11, 12, tzinfo=UTC)
    )
    assert local_days(fires) == {f"2026-03-{day:02d}": 1 for day in range(6, 12)}
    spring = [f.astimezone(NEW_YORK) for f in fires if f.astimezone(NEW_YORK).day == 8][0]
    assert spring.strftime("%H:%M %Z") == "03:30 EDT"  # 02:30 does not exist that night: one hour later


def test_new_york_daily_job_in_the_repeated_hour_runs_once_in_november():
    fires = fires_between(
        "30 1 * * *", "America/New_York", datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 4, 12, tzinfo=UTC)
    )
    assert local_days(fires) == {**{f"2026-10-{day}": 1 for day in (30, 31)}, **{f"2026-11-0{day}": 1 for day in range(1, 5)}}
    autumn = [f.astimezone(NEW_YORK) for f in fires if f.astimezone(NEW_YORK).day == 1][0]
    assert autumn.strftime("%H:%M %Z") == "01:30 EDT"  # the first of the two 01:30s


@pytest.mark.parametrize("day, hours", [("2026-03-08", 23), ("2026-11-01", 25), ("2026-07-01", 24)])
def test_new_york_hourly_job_fires_once_per_real_hour(day, hours):
    start = datetime.fromisoformat(day).replace(tzinfo=NEW_YORK)
    end = (start + timedelta(days=1, hours=2)).replace(hour=0)
    fires = fires_between("0 * * * *", "America/New_York", start.astimezone(UTC), end.astimezone(UTC))
    assert len(fires) == hours == local_days(fires)[day]
    gaps = {b - a for a, b in zip(fires, fires[1:], strict=False)}
    assert gaps == {timedelta(hours=1)}  # nothing lost, nothing doubled, in real time


@pytest.mark.parametrize("start", [datetime(2026, 3, 7, 12, tzinfo=UTC), datetime(2026, 10, 31, 12, tzinfo=UTC)])
def test_new_york_every_fifteen_minutes_is_even_across_the_change(start):
    fires = fires_between("*/15 * * * *", "America/New_York", start, start + timedelta(days=2))
    assert len(fires) == 2 * 24 * 4
    assert {b - a for a, b in zip(fires, fires[1:], strict=False)} == {timedelta(minutes=15)}


def test_latest_missed_slot_after_downtime():
    now = datetime(2026, 11, 22, 9, 47, 30, tzinfo=UTC)
    slot = cron.latest_fire("*/10 * * * *", "Asia/Seoul", now, not_before=datetime(2026, 11, 22, 9, 10, tzinfo=UTC))
    assert slot == datetime(2026, 11, 22, 9, 40, tzinfo=UTC)


def test_latest_missed_slot_across_the_spring_change():
    now = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # 04:00 EDT
    slot = cron.latest_fire("30 2 * * *", "America/New_York", now, not_before=datetime(2026, 3, 6, 7, 30, tzinfo=UTC))
    assert slot.astimezone(NEW_YORK).strftime("%m-%d %H:%M") == "03-08 03:30"


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("0 9 * * 1", "매주 월요일 09:00에"),
        ("0 9 * * 1-5", "평일(월~금) 09:00에"),
        ("30 8 1 * *", "매월 1일 08:30에"),
        ("*/15 * * * *", "매일 15분마다"),
        ("0 7 * 1,7 *", "1월, 7월 매일 07:00에"),
        ("0 18 * * fri", "매주 금요일 18:00에"),
    ],
)
def test_korean_description(bare_app, expression, expected):
    assert describe(expression) == expected


@pytest.mark.parametrize(
    "expression, field_name",
    [
        ("0 9 * *", None),
        ("61 9 * * 1", "분"),
        ("0 24 * * *", "시"),
        ("0 9 32 * *", "일"),
        ("0 9 * 13 *", "월"),
        ("0 9 * * 8", "요일"),
        ("0 9 * * mon-xyz", "요일"),
        ("@daily", None),
        ("", None),
        ("0 9 30 2 *", "일"),
        ("*/99999999999999999999 * * * *", "분"),
        ("*/0 * * * *", "분"),
        ("0 */25 * * *", "시"),
        ("１ 9 * * *", "분"),
        ("0 9 * * 1/٣", "요일"),
    ],
)
def test_invalid_cron_is_explained(bare_app, expression, field_name):
    message = cron_error(expression)
    assert message and message.startswith("Cron:")
    if field_name:
        assert f"'{field_name}'" in message
