"""What an `rq worker` process runs: the job entry point, in an app built once from the environment.

Like the factory it sits at the top of the import graph: it imports `create_app`, and nothing in the
package imports it (jobs.enqueue names it as RQ_ENTRY). Embedded jobs run in the app that queued them.
"""

from __future__ import annotations

import threading

from . import create_app
from .jobs import run_in_app

_worker_app = None
_worker_app_lock = threading.Lock()


def _app_for_worker():
    """The Flask app of an `rq worker` process, built once from the environment."""
    global _worker_app
    with _worker_app_lock:
        if _worker_app is None:
            _worker_app = create_app()
        return _worker_app


def execute(name: str, args: tuple, kwargs: dict | None = None):
    """Run one job inside an application context (the function RQ actually calls)."""
    app = _app_for_worker()
    return run_in_app(app, name, args, kwargs or {})
