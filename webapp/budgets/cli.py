"""`flask budgets check-alerts`: run the budget alert check now (the scheduler does it daily and after every change)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..cli_support import tenant_or_fail
from ..jobs import wait_for_embedded_jobs
from .alerts import check_budget_alerts, check_every_tenant

budgets_cli = AppGroup("budgets", help="Budget alerts.")


@budgets_cli.command("check-alerts")
@click.option("--tenant", "tenant_slug", default=None, help="Only this tenant (slug).")
def check_alerts(tenant_slug):
    """Raise and e-mail the budget alerts of this year and last that nobody was told about yet."""
    if tenant_slug:
        raised = len(check_budget_alerts(tenant_or_fail(tenant_slug).id))
    else:
        raised = check_every_tenant()
    wait_for_embedded_jobs()  # embedded mode: the e-mails are sent before the command exits
    click.echo(f"raised {raised} budget alert(s)")
