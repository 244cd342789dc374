"""What every area's CLI commands share: finding the tenant and user they act on, checking a time zone.

A leaf module (it imports only the extensions and models), so area CLIs never import webapp.cli.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask_babel import force_locale
from sqlalchemy import select

from .extensions import db
from .models import Tenant, User
from .validation import FieldErrors, InvalidParameter, check_timezone


def validate_timezone(ctx, param, value):
    """Click callback: refuse time zones that zoneinfo does not know (webapp.validation.check_timezone)."""
    with force_locale("en"):
        try:
            return check_timezone(value)
        except InvalidParameter as refused:
            raise click.BadParameter(refused.message) from None


def tenant_or_fail(slug: str) -> Tenant:
    """The tenant with this slug, or a clear CLI error."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug '{slug}'")
    return tenant


def user_or_fail(tenant: Tenant, username: str) -> User:
    """The user of this tenant with this username, or a clear CLI error."""
    user = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))
    if user is None:
        raise click.ClickException(f"no user '{username}' in tenant '{tenant.slug}'")
    return user


@contextmanager
def refusals_as_cli_errors() -> Iterator[None]:
    """Run domain code with English messages; refused input becomes a CLI error naming each field."""
    with force_locale("en"):
        try:
            yield
        except FieldErrors as refused:
            raise click.ClickException("; ".join(refused.errors.values())) from None
