"""Checking cost input, shared by the form and the JSON API so both refuse the same things the same way."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import CATEGORIES, SERVICES, Server
from ..validation import (  # the generic checks (amounts, codes, months) live there; re-exported for older imports
    MAX_AMOUNT,
    InvalidParameter,
    check_code,
    check_id,
    check_month,
    check_text,
    check_year,
    checked,
    parse_amount,
)

__all__ = ["MAX_AMOUNT", "DESCRIPTION_MAX", "DEPARTMENT_MAX", "check_code", "parse_amount", "clean_cost", "plain_amount"]

DESCRIPTION_MAX = 500
DEPARTMENT_MAX = 50  # String(50)


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


def clean_cost(data: Mapping, tenant_id: int, entry=None) -> tuple[dict, dict[str, str]]:
    """Check every field; returns (clean values, {field: message}). Values are only usable without errors.

    `entry` is the cost being edited: an imported credit, adjustment or refund keeps a negative amount.
    """
    negative = entry is not None and entry.may_be_negative
    values, errors = checked(
        {
            "year": lambda: check_year(data.get("year")),
            "month": lambda: check_month(data.get("month")),
            "category": lambda: check_code("category", data.get("category"), tuple(CATEGORIES)),
            "service": lambda: check_code("service", data.get("service"), SERVICES),
            "amount": lambda: parse_amount(data.get("amount"), negative=negative),
            "server_id": lambda: _check_server(data.get("server_id"), tenant_id),
            "description": lambda: check_text("description", data.get("description"), max_length=DESCRIPTION_MAX),
            "department": lambda: check_text("department", data.get("department"), max_length=DEPARTMENT_MAX, default="IT"),
        }
    )
    return values, errors


def plain_amount(amount: Decimal) -> str:
    """An amount for an input box: 1500000 or 1500000.50 (no grouping, no needless .00)."""
    return f"{amount.to_integral():f}" if amount == amount.to_integral() else f"{amount:f}"
