"""Display helpers: money in the tenant currency, UTC times in the tenant zone, labels of codes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from flask_babel import format_currency, format_datetime, format_decimal


def tenant_currency() -> str:
    """The currency of the institution in context (the signed-in user's, or a job's tenant), else KRW."""
    from .i18n import tenant_in_context

    tenant = tenant_in_context()
    return (getattr(tenant, "currency", None) or "KRW") if tenant is not None else "KRW"


def money(amount, currency: str | None = None) -> str:
    """₩1,234,567 for KRW (no decimals); other currencies with their usual places; by default the institution's currency."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), currency or tenant_currency())


def number(value) -> str:
    """A grouped number such as 1,234."""
    if value is None:
        return ""
    return format_decimal(value)


def localtime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC timestamp shown in the selected (tenant) time zone."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def code_label(labels: Mapping, code: str | None) -> str:
    """The label of a code in the reader's language (an unknown code shows as itself, None as '')."""
    if code is None:
        return ""
    return str(labels.get(code, code))


def register_filters(app) -> None:
    """Expose the helpers as Jinja filters."""
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(localtime, "localtime")
