"""`flask costs ...`: operator commands for the cost data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..cli_support import tenant_or_fail

costs_cli = AppGroup("costs", help="Cost data maintenance.")


@costs_cli.command("check-totals")
@click.option("--tenant", "tenant_slug", default=None, help="Only this tenant (slug).")
def check_totals(tenant_slug):
    """Compare the monthly rollup with the cost entries; exit 1 when they differ."""
    from ..analytics.totals import rollup_differences

    differences = rollup_differences(_tenant_id(tenant_slug))
    click.echo(f"{differences} group(s) differ" if differences else "monthly totals match the cost entries")
    raise SystemExit(1 if differences else 0)


@costs_cli.command("rebuild-totals")
@click.option("--tenant", "tenant_slug", default=None, help="Only this tenant (slug).")
def rebuild_totals(tenant_slug):
    """Recompute the monthly rollup from the cost entries."""
    from ..analytics.totals import rebuild_monthly_totals

    rows = rebuild_monthly_totals(_tenant_id(tenant_slug))
    click.echo(f"rebuilt {rows} monthly total row(s)")


def _tenant_id(slug: str | None) -> int | None:
    """The id of the tenant with this slug (None for all tenants)."""
    if slug is None:
        return None

    return tenant_or_fail(slug).id
