"""Flask CLI commands operators script: tenants, users, tokens, demo data, jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .admin import service as users
from .cli_support import refusals_as_cli_errors, tenant_or_fail, user_or_fail, validate_timezone
from .extensions import db
from .models import ROLES, ApiToken, Tenant, utcnow

tenants_cli = AppGroup("tenants", help="Manage tenants (institutions).")
users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Issue and revoke API tokens.")
demo_cli = AppGroup("demo", help="Demo data.")
jobs_cli = AppGroup("jobs", help="Background jobs.")


@tenants_cli.command("create")
@click.option("--slug", required=True, help="Short code used at sign-in, e.g. 'mois'.")
@click.option("--name", required=True, help="Institution name.")
@click.option("--timezone", "timezone_name", default="Asia/Seoul", show_default=True, callback=validate_timezone)
@click.option("--currency", default="KRW", show_default=True)
def create_tenant(slug, name, timezone_name, currency):
    """Create a tenant."""
    slug = slug.strip().lower()
    if db.session.scalar(select(Tenant).where(Tenant.slug == slug)):
        raise click.ClickException(f"tenant '{slug}' already exists")
    if len(currency) != 3 or not currency.isalpha():
        raise click.BadParameter("use a 3-letter ISO code such as KRW", param_hint="--currency")
    tenant = Tenant(slug=slug, name=name, timezone=timezone_name, currency=currency.upper(), locale="ko", settings={})
    db.session.add(tenant)
    db.session.commit()
    click.echo(f"created tenant {slug} (id {tenant.id})")


@users_cli.command("create")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES, case_sensitive=False), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(tenant_slug, username, email, role, password):
    """Create a user (prompts for the password when --password is omitted)."""
    tenant = tenant_or_fail(tenant_slug)
    with refusals_as_cli_errors():
        user = users.create_user(tenant, {"username": username, "email": email, "role": role, "password": password}, via="cli")
    click.echo(f"created user {user.username} ({user.role}) in {tenant.slug}")


@users_cli.command("set-password")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(tenant_slug, username, password):
    """Set a user's password (prompts when --password is omitted); all of the user's sessions end."""
    user = user_or_fail(tenant_or_fail(tenant_slug), username)
    with refusals_as_cli_errors():
        users.update_user(user, {"password": password}, via="cli")
    click.echo(f"password changed for {user.username}@{user.tenant.slug}; {user.sessions_ended} session(s) ended")


@users_cli.command("update")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES, case_sensitive=False), help="New role.")
@click.option("--active/--inactive", default=None, help="Reactivate or deactivate the user.")
def update_user(tenant_slug, username, role, active):
    """Change a user's role or active flag; a change ends all of the user's sessions."""
    user = user_or_fail(tenant_or_fail(tenant_slug), username)
    wanted = {field: value for field, value in {"role": role, "active": active}.items() if value is not None}
    with refusals_as_cli_errors():
        changes = users.update_user(user, wanted, via="cli")
    if not changes:
        click.echo(f"nothing to change for {user.username}@{user.tenant.slug}")
        return
    click.echo(
        f"updated {user.username}@{user.tenant.slug}: "
        + ", ".join(f"{field}={value}" for field, value in changes.items())
        + f"; {user.sessions_ended} session(s) ended"
    )


@users_cli.command("sign-out")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
def sign_out_user(tenant_slug, username):
    """End every browser session of a user (API tokens are revoked with `flask tokens revoke`)."""
    from .audit import record
    from .auth.sessions import end_all_sessions

    user = user_or_fail(tenant_or_fail(tenant_slug), username)
    ended = end_all_sessions(user, "sign_out_everywhere")
    record("sign_out_everywhere", "user", user.id, tenant_id=user.tenant_id, sessions_ended=ended, via="cli")
    db.session.commit()
    click.echo(f"{ended} session(s) of {user.username}@{user.tenant.slug} ended")


@tokens_cli.command("create")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
def create_token(tenant_slug, username, name):
    """Issue an API token; the token alone is printed on the last line."""
    user = user_or_fail(tenant_or_fail(tenant_slug), username)
    token, raw = ApiToken.issue(user, name)
    db.session.commit()
    click.echo(f"token id {token.id} for {user.username}@{user.tenant.slug} (shown once):")
    click.echo(raw)


@tokens_cli.command("revoke")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--username", required=True)
@click.option("--id", "token_id", type=int, help="Revoke only this token id (default: all of the user's tokens).")
def revoke_token(tenant_slug, username, token_id):
    """Revoke one or all of a user's API tokens."""
    user = user_or_fail(tenant_or_fail(tenant_slug), username)
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    tokens = db.session.scalars(query).all()
    if token_id is not None and not tokens:
        raise click.ClickException(f"no active token {token_id} for '{username}'")
    for token in tokens:
        token.revoked_at = utcnow()
    db.session.commit()
    click.echo(f"revoked {len(tokens)} token(s)")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the demo tenant already exists (prints the logins).")
def seed(if_empty):
    """Create (or complete) the demo tenant and print its logins; safe to run twice."""
    from .demo import DEMO_USERS, seed_demo

    seed_demo(only_if_missing=if_empty, echo=click.echo)
    click.echo("")
    click.echo("Demo logins (institution code: demo):")
    for username, _role, password in DEMO_USERS:
        click.echo(f"  {username:<6} / {password}")


@jobs_cli.command("ping")
@click.option("--tenant", "tenant_slug", default="demo", show_default=True)
@click.option("--message", default="pong", show_default=True)
def ping(tenant_slug, message):
    """Enqueue the trivial job; in embedded mode wait for it to finish."""
    from .jobs import enqueue, wait_for_embedded_jobs
    from .jobs import ping as ping_job

    tenant = tenant_or_fail(tenant_slug)
    job_id = enqueue(ping_job, tenant.id, message)
    wait_for_embedded_jobs()
    click.echo(f"enqueued {job_id}")
