"""Checking cost input, shared by the form and the JSON API so both refuse the same things the same way."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from ..analytics.periods import InvalidParameter, check_month, check_year, checked
from ..extensions import db
from ..models import CATEGORIES, SERVICES, Server

MAX_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)
DESCRIPTION_MAX = 500
DEPARTMENT_MAX = 50


def parse_amount(raw) -> Decimal:
    """An amount ≥ 0 with at most two decimals; "1,234,567" and "₩1,234" are accepted as typed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidParameter("amount", _("amount: required, a number of 0 or more."))
    if isinstance(raw, bool):
        raw = "not a number"
    text = str(raw).strip().replace(",", "").replace("₩", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidParameter("amount", _("amount: '%(value)s' is not a number; enter digits such as 1234567.", value=raw))
    if not value.is_finite():
        raise InvalidParameter("amount", _("amount: '%(value)s' is not a number; enter digits such as 1234567.", value=raw))
    if value < 0:
        raise InvalidParameter("amount", _("amount: must be 0 or more (negative amounts are not allowed)."))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidParameter("amount", _("amount: use at most 2 decimal places."))
    if value > MAX_AMOUNT:
        raise InvalidParameter("amount", _("amount: too large."))
    return value.quantize(Decimal("0.01"))


def check_code(field: str, raw, allowed: tuple[str, ...]) -> str:
    """A required code from a fixed list (case-insensitive); the message lists the allowed values."""
    text = "" if raw is None else str(raw).strip().upper()
    if not text:
        raise InvalidParameter(field, _("%(field)s: required, one of %(allowed)s.", field=field, allowed=", ".join(allowed)))
    if text not in allowed:
        raise InvalidParameter(field, _("%(field)s: unknown value '%(value)s'; use one of %(allowed)s.",
                                        field=field, value=raw, allowed=", ".join(allowed)))
    return text


def _check_server(raw, tenant_id: int) -> int | None:
    """An optional server id that must belong to the tenant."""
    if raw in (None, "", 0, "0"):
        return None
    try:
        server_id = int(str(raw))
    except ValueError:
        server_id = None
    if server_id is None or db.session.scalar(select(Server.id).where(Server.id == server_id, Server.tenant_id == tenant_id)) is None:
        raise InvalidParameter("server_id", _("server_id: unknown server."))
    return server_id


def clean_cost(data: Mapping, tenant_id: int) -> tuple[dict, dict[str, str]]:
    """Check every field; returns (clean values, {field: message}). Values are only usable without errors."""
    values, errors = checked({
        "year": lambda: check_year(data.get("year")),
        "month": lambda: check_month(data.get("month")),
        "category": lambda: check_code("category", data.get("category"), tuple(CATEGORIES)),
        "service": lambda: check_code("service", data.get("service"), SERVICES),
        "amount": lambda: parse_amount(data.get("amount")),
        "server_id": lambda: _check_server(data.get("server_id"), tenant_id),
    })
    description = "" if data.get("description") is None else str(data.get("description")).strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("description: at most %(max)s characters.", max=DESCRIPTION_MAX)
    values["description"] = description
    department = str(data.get("department") or "").strip() or "IT"
    if len(department) > DEPARTMENT_MAX:
        errors["department"] = _("department: at most %(max)s characters.", max=DEPARTMENT_MAX)
    values["department"] = department
    return values, errors


def plain_amount(amount: Decimal) -> str:
    """An amount for an input box: 1500000 or 1500000.50 (no grouping, no needless .00)."""
    return f"{amount.to_integral():f}" if amount == amount.to_integral() else f"{amount:f}"
