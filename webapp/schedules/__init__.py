"""Report schedules: cron in the schedule's zone, the exactly-once scheduler, e-mail delivery with signed links."""

from flask import Blueprint, Flask

bp = Blueprint("schedules", __name__)

from . import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    """What the schedules area adds to the whole app (called by create_app): the in_zone filter, and e-mailing
    recipients whenever a report finishes (in whichever process built it)."""
    from ..reports.signals import report_finished
    from .delivery import on_report_finished
    from .describe import in_zone

    app.add_template_filter(in_zone, "in_zone")
    report_finished.connect(on_report_finished)  # blinker keeps one connection per receiver, however many apps
