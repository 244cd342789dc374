"""`flask reports ...`: generate a report, fail stuck ones, purge old ones."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from ..cli_support import tenant_or_fail

reports_cli = AppGroup("reports", help="Operational reports.")


@reports_cli.command("sweep")
def sweep():
    """Mark reports stuck in RUNNING (worker died) or lost from the queue as FAILED."""
    from .service import sweep_stuck_reports

    click.echo(f"failed {sweep_stuck_reports()} stuck report(s)")


@reports_cli.command("purge")
def purge():
    """Delete reports older than each institution's retention (report_retention_days)."""
    from .service import purge_expired_reports

    click.echo(f"deleted {purge_expired_reports()} expired report(s)")


def _date(ctx, param, value):
    """YYYY-MM-DD or nothing."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


@reports_cli.command("generate")
@click.option("--tenant", "tenant_slug", default="demo", show_default=True)
@click.option(
    "--template", "template_code", required=True, help="weekly_ops, monthly_sla, incident_rca, capacity_plan or monthly_cost"
)
@click.option("--format", "fmt", default="excel", show_default=True)
@click.option("--start", callback=_date, help="Period start (default: the template's default period).")
@click.option("--end", callback=_date, help="Period end.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Also write the file here when it is done.")
def generate(tenant_slug, template_code, fmt, start, end, output):
    """Queue a report; in embedded mode wait for it and print the result."""
    from ..extensions import db
    from ..jobs import wait_for_embedded_jobs
    from ..models import Report
    from .periods import today_in
    from .service import ReportRequestError, default_period, request_report

    tenant = tenant_or_fail(tenant_slug)
    try:
        if start is None and end is None:
            start, end = default_period(template_code, today_in(tenant.timezone))
        elif start is None or end is None:
            raise click.BadParameter("give both --start and --end, or neither")
        report = request_report(tenant, template_code, start, end, fmt)
    except ReportRequestError as exc:
        raise click.ClickException(str(exc)) from None
    wait_for_embedded_jobs()
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    click.echo(f"report {report.id}: {report.status} {report.template} {report.period_start}~{report.period_end} {report.format}")
    if report.status == "FAILED":
        raise click.ClickException(report.error or "failed")
    if report.status == "DONE" and output:
        with open(output, "wb") as handle:
            handle.write(report.content)
        click.echo(f"wrote {report.size} bytes to {output}")
