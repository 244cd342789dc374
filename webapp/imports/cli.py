"""`flask import costs|srs|servers FILE --tenant SLUG`, `flask import list`, `flask import undo`.

Errors are printed as `row N, column C: message`; exit status 0 when imported, 1 when refused (nothing
stored); the last line is a one-line summary with the batch id and the row counts.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from ..cli_support import tenant_or_fail, user_or_fail
from ..extensions import db
from ..models import ImportBatch, User

import_cli = AppGroup("import", help="Import costs, service requests and servers from CSV or XLSX files.")


def _progress(stage: str, done: int, total: int) -> None:
    """A one-line progress display on a terminal (stderr), nothing when piped."""
    if sys.stderr.isatty():
        text = f"checked {done:,} rows" if stage == "check" else f"saved {done:,} of {total:,} rows"
        click.echo(f"\r{text}", nl=False, err=True)


def _summary(batch: ImportBatch, dry_run: bool = False) -> str:
    if batch.status == "DONE":
        return f"batch {batch.id}: imported {batch.rows} row(s): {batch.created_count} new, {batch.updated_count} updated"
    if dry_run and batch.status == "CHECKED":
        return f"dry run: {batch.rows} row(s) checked, no errors; nothing stored"
    return f"batch {batch.id}: refused, {batch.error_count} error(s) in {batch.rows} row(s); nothing imported"


def _run(kind: str, path: str, tenant_slug: str, username: str | None, force: bool, dry_run: bool, options: dict) -> None:
    from .pipeline import DuplicateFile, process_batch, store_upload
    from .reading import FileRefused

    tenant = tenant_or_fail(tenant_slug)
    user = user_or_fail(tenant, username) if username else None
    if user is None:
        user = db.session.scalar(
            select(User).where(User.tenant_id == tenant.id, User.role == "ADMIN", User.active.is_(True)).order_by(User.id)
        )
    with force_locale("en"), open(path, "rb") as handle:
        try:
            batch = store_upload(tenant, user.id if user else None, kind, path.rsplit("/", 1)[-1], handle, options, force)
        except DuplicateFile as duplicate:
            click.echo(duplicate.message.replace("Confirm to import it anyway.", "Use --force to import it anyway."))
            click.echo(f"refused: already imported as batch {duplicate.batch.id}; nothing stored")
            raise SystemExit(1) from None
        except FileRefused as refused:
            click.echo(refused.message)
            click.echo("refused: nothing stored")
            raise SystemExit(1) from None
        batch = process_batch(batch, on_progress=_progress, dry_run=dry_run)
        if sys.stderr.isatty():
            click.echo("", err=True)
        if batch.message and batch.status == "FAILED" and not batch.error_count:
            click.echo(batch.message)
        for error in batch.errors or []:
            click.echo(f"row {error['row']}, column {error['column']}: {error['message']}")
        if batch.error_count > len(batch.errors or []):
            click.echo(f"... and {batch.error_count - len(batch.errors)} more error(s)")
        click.echo(_summary(batch, dry_run))
        if batch.status not in ("DONE", "CHECKED"):
            raise SystemExit(1)


def _common(func):
    for option in reversed(
        [
            click.argument("path", type=click.Path(exists=True, dir_okay=False)),
            click.option("--tenant", "tenant_slug", required=True, help="The tenant (slug)."),
            click.option("--user", "username", default=None, help="Recorded as the importer (default: the first admin)."),
            click.option("--sheet", default=None, help="XLSX: the sheet to read (default: the first)."),
            click.option("--dry-run", is_flag=True, help="Check the whole file and store nothing."),
            click.option("--force", is_flag=True, help="Import a file already imported into the tenant."),
        ]
    ):
        func = option(func)
    return func


def _options(sheet: str | None, **extra) -> dict:
    options = {key: value for key, value in extra.items() if value not in (None, False)}
    if sheet:
        options["sheet"] = sheet
    return options


@import_cli.command("costs")
@_common
@click.option("--format", "layout", type=click.Choice(["auto", "app", "focus"]), default="auto", show_default=True)
@click.option("--rate", default=None, help="FOCUS: the rate from the billing currency to the tenant's.")
@click.option("--amount", "amount_column", type=click.Choice(["billed", "effective"]), default="billed", show_default=True)
@click.option("--month-from", "month_from", type=click.Choice(["billing", "charge"]), default="billing", show_default=True)
def import_costs(path, tenant_slug, username, sheet, dry_run, force, layout, rate, amount_column, month_from):
    """Import cost entries (the app's columns or a FOCUS cost file)."""
    options = _options(sheet, layout=layout if layout != "auto" else None, rate=rate)
    if amount_column != "billed":
        options["amount"] = amount_column
    if month_from != "billing":
        options["month_from"] = month_from
    _run("costs", path, tenant_slug, username, force, dry_run, options)


@import_cli.command("srs")
@_common
def import_srs(path, tenant_slug, username, sheet, dry_run, force):
    """Import service requests; a code that exists is updated."""
    _run("srs", path, tenant_slug, username, force, dry_run, _options(sheet))


@import_cli.command("servers")
@_common
@click.option("--create-servers", is_flag=True, help="Create servers that utilisation rows name but the inventory lacks.")
def import_servers(path, tenant_slug, username, sheet, dry_run, force, create_servers):
    """Import the server inventory and/or monthly utilisation (server, year, month, cpu, memory, disk)."""
    _run("servers", path, tenant_slug, username, force, dry_run, _options(sheet, create_servers=create_servers))


@import_cli.command("list")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant (slug).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def list_batches(tenant_slug, limit):
    """The tenant's imports, newest first."""
    tenant = tenant_or_fail(tenant_slug)
    batches = db.session.scalars(
        select(ImportBatch).where(ImportBatch.tenant_id == tenant.id).order_by(ImportBatch.id.desc()).limit(limit)
    ).all()
    for batch in batches:
        who = batch.created_by.username if batch.created_by else "-"
        click.echo(
            f"{batch.id}\t{batch.created_at:%Y-%m-%d %H:%M}Z\t{batch.kind}\t{batch.status}\t{batch.rows} rows"
            f"\t{batch.created_count} new\t{batch.updated_count} updated\t{who}\t{batch.file_name}"
        )
    click.echo(f"{len(batches)} import(s)")


@import_cli.command("undo")
@click.argument("batch_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--tenant", "tenant_slug", required=True, help="The tenant (slug).")
@click.option("--user", "username", default=None, help="Recorded as who undid it (default: the first admin).")
def undo(batch_id, tenant_slug, username):
    """Remove exactly the rows one import stored."""
    from .pipeline import CannotUndo, undo_batch

    tenant = tenant_or_fail(tenant_slug)
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.tenant_id != tenant.id:
        raise click.ClickException(f"no import {batch_id} in tenant '{tenant.slug}'")
    user = user_or_fail(tenant, username) if username else None
    try:
        removed = undo_batch(batch, user)
    except CannotUndo:
        raise click.ClickException(f"import {batch_id} is {batch.status}; only a DONE import can be undone") from None
    click.echo(f"batch {batch_id}: undone, {removed} row(s) removed")
