"""JSON for the whole app: money (Decimal) as a number, dates as ISO 8601, keys in the order they were built."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider


def money_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an integer when whole, else a float (exact for two-place money)."""
    return int(value) if value == value.to_integral_value() else float(value)


def jsonable(value):
    """A structure with Decimals and dates turned into plain JSON values (for JSON columns and files)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return money_number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class AppJSONProvider(DefaultJSONProvider):
    """jsonify() for the API: key order kept (breakdowns are largest first), Korean as is, money as numbers."""

    sort_keys = False
    ensure_ascii = False

    @staticmethod
    def default(value):
        """Serialise what the json module does not know."""
        if isinstance(value, Decimal):
            return money_number(value)
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return DefaultJSONProvider.default(value)
