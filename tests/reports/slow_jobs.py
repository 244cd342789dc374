"""A job that is slow on purpose, for the test that kills the worker in the middle of a report."""

import time

from webapp.models import utcnow
from webapp.reports.service import _set_status


def slow_report_job(report_id: int, seconds: float = 120) -> None:
    """Start the report as the real job does (RUNNING), then take far longer than the test waits."""
    _set_status(report_id, "QUEUED", status="RUNNING", started_at=utcnow())
    time.sleep(seconds)
