"""Checking cost input, shared by the form and the JSON API so both refuse the same things the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..analytics.periods import check_month, check_year
from ..extensions import db
from ..models import CATEGORIES, SERVICES, Server
from ..validation import CODE_TEXT_MAX, InvalidParameter, check_id, check_text, checked, shown

MAX_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)
CENT = Decimal("0.01")
DESCRIPTION_MAX = 500
DEPARTMENT_MAX = 50  # String(50)
# ASCII digits only (Decimal() would also read "１２" and "١٢"), an optional exponent as in 1.5e6.
AMOUNT_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _not_a_number(raw) -> InvalidParameter:
    """The refusal of an amount that is not a number."""
    return InvalidParameter("amount", _("amount: '%(value)s' is not a number; enter digits such as 1234567.", value=shown(raw)))


def parse_amount(raw) -> Decimal:
    """An amount ≥ 0 with at most two decimals; "1,234,567" and "₩1,234" are accepted as typed.

    Any size is compared before rounding, so 1e30 or "1e100000" is "too large", never a decimal error.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidParameter("amount", _("amount: required, a number of 0 or more."))
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise _not_a_number(raw)
    if isinstance(raw, int) and abs(raw) > 10**18:  # str() of a gigantic int fails; it is too large anyway
        raise InvalidParameter(
            "amount", _("amount: too large.") if raw > 0 else _("amount: must be 0 or more (negative amounts are not allowed).")
        )
    text = raw if isinstance(raw, str) else str(raw)
    text = text.strip().replace(",", "").replace("₩", "").replace(" ", "")
    if not AMOUNT_TEXT.fullmatch(text):
        raise _not_a_number(raw)
    value = Decimal(text)
    if value < 0:
        raise InvalidParameter("amount", _("amount: must be 0 or more (negative amounts are not allowed)."))
    if value > MAX_AMOUNT:
        raise InvalidParameter("amount", _("amount: too large."))
    if value != value.quantize(CENT):
        raise InvalidParameter("amount", _("amount: use at most 2 decimal places."))
    return value.quantize(CENT)


def check_code(field: str, raw, allowed: tuple[str, ...]) -> str:
    """A required code from a fixed list (case-insensitive); the message lists the allowed values."""
    text = check_text(field, raw, max_length=CODE_TEXT_MAX).upper()
    if not text:
        raise InvalidParameter(field, _("%(field)s: required, one of %(allowed)s.", field=field, allowed=", ".join(allowed)))
    if text not in allowed:
        raise InvalidParameter(
            field,
            _(
                "%(field)s: unknown value '%(value)s'; use one of %(allowed)s.",
                field=field,
                value=shown(raw),
                allowed=", ".join(allowed),
            ),
        )
    return text


def _no_server(raw) -> bool:
    """None, empty, 0 or "0": the cost is linked to no server."""
    return raw is None or (isinstance(raw, str) and raw.strip() in ("", "0")) or (type(raw) is int and raw == 0)


def _check_server(raw, tenant_id: int) -> int | None:
    """An optional server id (within the id column's range) that must belong to the tenant."""
    if _no_server(raw):
        return None
    server_id = check_id("server_id", raw)
    if db.session.scalar(select(Server.id).where(Server.id == server_id, Server.tenant_id == tenant_id)) is None:
        raise InvalidParameter("server_id", _("server_id: unknown server."))
    return server_id


def clean_cost(data: Mapping, tenant_id: int) -> tuple[dict, dict[str, str]]:
    """Check every field; returns (clean values, {field: message}). Values are only usable without errors."""
    values, errors = checked(
        {
            "year": lambda: check_year(data.get("year")),
            "month": lambda: check_month(data.get("month")),
            "category": lambda: check_code("category", data.get("category"), tuple(CATEGORIES)),
            "service": lambda: check_code("service", data.get("service"), SERVICES),
            "amount": lambda: parse_amount(data.get("amount")),
            "server_id": lambda: _check_server(data.get("server_id"), tenant_id),
            "description": lambda: check_text("description", data.get("description"), max_length=DESCRIPTION_MAX),
            "department": lambda: check_text("department", data.get("department"), max_length=DEPARTMENT_MAX, default="IT"),
        }
    )
    return values, errors


def plain_amount(amount: Decimal) -> str:
    """An amount for an input box: 1500000 or 1500000.50 (no grouping, no needless .00)."""
    return f"{amount.to_integral():f}" if amount == amount.to_integral() else f"{amount:f}"
