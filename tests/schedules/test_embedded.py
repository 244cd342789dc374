"""Embedded mode (`make run`): the scheduler ticks on a thread inside the served app, with no separate process."""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models.schedules import ScheduleRun
from webapp.schedules.embedded import start_embedded_scheduler


def runs_of(db, schedule):
    db.session.expire_all()
    return db.session.scalars(select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id)).all()


@pytest.mark.parametrize("app_config", [{"SCHEDULER_EMBEDDED": True, "SCHEDULER_INTERVAL": 1}])
def test_the_embedded_scheduler_fires_a_due_schedule_and_stops_when_asked(app, db, make_schedule, app_config):
    local_now = datetime.now(ZoneInfo("Asia/Seoul"))
    new_year = datetime(local_now.year, 1, 1, tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC)
    schedule = make_schedule(cron="0 0 1 1 *", next_run_at=new_year)  # one slot a year: it cannot fire twice here
    thread = start_embedded_scheduler(app)
    try:
        assert start_embedded_scheduler(app) is thread  # one loop per process
        deadline = time.monotonic() + 30
        while not runs_of(db, schedule) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        thread.stop_event.set()
        thread.join(10)
    wait_for_embedded_jobs(30)
    [run] = runs_of(db, schedule)
    assert run.scheduled_for == new_year and run.status == "DONE"
    assert not thread.is_alive()


def test_no_embedded_scheduler_when_switched_off(bare_app):
    assert start_embedded_scheduler(bare_app) is None  # SCHEDULER_EMBEDDED is off (e.g. with Redis: `flask scheduler run`)
