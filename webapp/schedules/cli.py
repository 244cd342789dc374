"""`flask scheduler run [--once]` and `flask scheduler maintenance`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

scheduler_cli = AppGroup("scheduler", help="The report scheduler.")


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Tick once and exit (for cron-like use and tests).")
@click.option("--interval", type=int, default=None, help="Seconds between ticks (default SCHEDULER_INTERVAL, 30).")
def run(once, interval):
    """Fire due schedules: a loop every SCHEDULER_INTERVAL seconds; several may run at once safely."""
    from ..jobs import wait_for_embedded_jobs
    from .scheduler import run_loop

    interval = interval or int(current_app.config.get("SCHEDULER_INTERVAL") or 30)
    if not once:
        click.echo(f"scheduler: ticking every {interval} s (Ctrl+C to stop)")
    try:
        run_loop(interval, once=once, echo=click.echo)
    except KeyboardInterrupt:
        click.echo("scheduler: stopped")
    wait_for_embedded_jobs()


@scheduler_cli.command("maintenance")
def maintenance():
    """Run the daily retention purge now."""
    from .retention import purge_expired

    totals = purge_expired()
    click.echo(
        f"purged {totals['reports']} reports, {totals['runs']} runs, {totals['deliveries']} e-mail records, "
        f"{totals['sessions']} ended sign-in sessions"
    )
