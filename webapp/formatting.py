"""Display helpers: money in the tenant currency and UTC times in the tenant zone."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import format_currency, format_datetime, format_decimal


def money(amount, currency: str = "KRW") -> str:
    """₩1,234,567 for KRW (no decimals); other currencies with their usual places."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), currency)


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


def register_filters(app) -> None:
    """Expose the helpers as Jinja filters."""
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(localtime, "localtime")
