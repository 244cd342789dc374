"""Report schedules: cron in the schedule's zone, the exactly-once scheduler, e-mail delivery with signed links."""

from flask import Blueprint

bp = Blueprint("schedules", __name__)

from . import routes  # noqa: E402,F401


@bp.record_once
def _connect_delivery(state) -> None:
    """E-mail recipients whenever a report finishes (in whichever process built it)."""
    from ..reports.signals import report_finished
    from .delivery import on_report_finished

    report_finished.connect(on_report_finished)
