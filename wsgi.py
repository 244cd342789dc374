"""WSGI entry point: gunicorn wsgi:app."""

from webapp import create_app
from webapp.schedules.embedded import start_embedded_scheduler

app = create_app()
start_embedded_scheduler(app)  # embedded mode only (SCHEDULER_EMBEDDED, on when there is no REDIS_URL)
