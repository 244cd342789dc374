"""Embedded mode: the scheduler tick on a daemon thread inside the served app (`make run`)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def start_embedded_scheduler(app) -> threading.Thread | None:
    """Start the tick loop once per process when SCHEDULER_EMBEDDED is on; thread.stop_event ends it."""
    if not app.config.get("SCHEDULER_EMBEDDED"):
        return None
    existing = app.extensions.get("embedded_scheduler")
    if existing is not None:
        return existing
    from .scheduler import run_loop

    stop = threading.Event()
    interval = int(app.config.get("SCHEDULER_INTERVAL") or 30)

    def loop():
        """Tick until the process ends."""
        if stop.wait(2):  # let the server finish starting first
            return
        with app.app_context():
            run_loop(interval, stop=stop, echo=log.info)

    thread = threading.Thread(target=loop, name="embedded-scheduler", daemon=True)
    thread.stop_event = stop
    app.extensions["embedded_scheduler"] = thread
    thread.start()
    log.info("embedded scheduler started (every %s s)", interval)
    return thread
