"""Refused input, the one way: FieldErrors carries {field: message} from any check to any caller.

A domain `clean_*` function raises FieldErrors (or returns its errors); a page puts the
messages next to the form's fields, and the app's error handler turns an uncaught one into
`{"detail": ..., "errors": {field: message}}` on the API (422 for a body, 400 for a query string).

The field checks every `clean_*` builds on live here too, one definition each: text (type,
control characters, length), codes from a fixed list, whole numbers (ASCII digits only, within a
range), ids (within the column range), years (2000–2100), months, service codes, money amounts,
dates, e-mail addresses, IANA time zones and passwords.  `register_input_checks` installs the app-wide
part: URL ids that fit the id column, bounded `args.get(..., type=int)`, and one check of every
request's text (query, form, JSON body, URL parts) for characters no column can store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

ID_MAX = 2**31 - 1  # every primary key is an Integer column (PostgreSQL `integer`)
YEAR_MIN, YEAR_MAX = 2000, 2100
# C0 controls other than tab, LF and CR (PostgreSQL refuses NUL; the others only come from crafted
# requests or pasted binary), and lone UTF-16 surrogates, which cannot be encoded as UTF-8 at all.
REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Passwords may not contain any control character: tab and new line cannot be typed into a password box.
PASSWORD_REFUSED = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")  # ASCII only: int() would also take "１２" and "١٢"
DECIMAL_NUMBER = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})")  # likewise float() and Decimal()
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
ECHO_MAX = 40
CODE_TEXT_MAX = 100  # a code picked from a list: anything longer is simply unknown (the message lists the codes)
ZONE_MAX = 64  # every time zone column is String(64)
MAX_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)
CENT = Decimal("0.01")
# ASCII digits only (Decimal() would also read "１２" and "١٢"), an optional exponent as in 1.5e6.
AMOUNT_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


class FieldErrors(ValueError):
    """One or more refused fields; `errors` maps each field to a message that names it."""

    status = 422

    def __init__(self, errors: Mapping[str, str], status: int | None = None):
        self.errors = dict(errors)
        if status is not None:
            self.status = status
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """Every message in one line, for clients that read only `detail`."""
        return " ".join(str(message) for message in self.errors.values())


class InvalidParameter(FieldErrors):
    """A single refused parameter (usually a query argument, hence 400); `field` names it."""

    status = 400

    def __init__(self, field: str, message: str, status: int | None = None):
        self.field = field
        self.message = message
        super().__init__({field: message}, status)


def in_user_words(field, name: str, message) -> str:
    """A message for a person: "category: … SERVER, NETWORK" → "분류: … 서버 운영비, 네트워크/통신비".

    Domain checks name the field and list codes as the API has them; next to a form field the message names the
    field's label instead, and codes the field offers as choices become the choices' labels.
    """
    text = str(message)
    label = getattr(getattr(field, "label", None), "text", None)
    if label and text.startswith(f"{name}:"):
        text = f"{label}:{text[len(name) + 1 :]}"
    choices = getattr(field, "choices", None)
    if choices:
        names = {}
        for choice in choices:
            value, shown_as = (choice.value, choice.label) if hasattr(choice, "value") else (choice[0], choice[1])
            if value and str(shown_as) != str(value):
                names[str(value)] = str(shown_as)
        if names:
            pattern = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w'])")
            text = pattern.sub(lambda match: names[match.group(1)], text)
    return text


def apply_errors(form, errors: Mapping[str, str]) -> None:
    """Put each refused field's message, in the user's words, next to the form's field of that name (others above it)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, in_user_words(field, name, message)]
        else:
            form.form_errors.append(message)


def check_email(field: str, raw) -> str:
    """A syntactically valid e-mail address (no DNS lookup), normalised; FieldErrors naming `field` otherwise."""
    from email_validator import EmailNotValidError, validate_email

    text = raw.strip() if isinstance(raw, str) else ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldErrors(
            {field: _("%(field)s: enter a valid e-mail address such as name@example.go.kr.", field=field)}
        ) from None


def checked(checks: Mapping[str, Callable[[], object]]) -> tuple[dict, dict[str, str]]:
    """Run every field's check: (the values that passed, {field: message} of those refused)."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except FieldErrors as error:
            errors.update({field: error.message} if isinstance(error, InvalidParameter) else error.errors)
    return values, errors


# --- text -------------------------------------------------------------------------------------


def shown(value) -> str:
    """A refused value as a message may quote it: printable and short (the client sent it, it may be huge)."""
    text = value if isinstance(value, str) else repr(value)
    text = REFUSED_CHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text if len(text) <= ECHO_MAX else text[:ECHO_MAX] + "…"


def kind_of(value) -> str:
    """What a JSON value is, in the words of a message ("a number", "a list", ...)."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, (list, tuple)):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


def refused_character(text: str) -> str | None:
    """The first character no column can store, as "U+0000", or None when the text is clean."""
    match = REFUSED_CHARACTERS.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def control_character_message(field: str, code: str) -> str:
    """The message for a text with a control character."""
    return _("%(field)s: contains a control character (%(code)s) that cannot be stored; remove it.", field=field, code=code)


def check_text(field: str, raw, *, max_length: int, required: bool = False, default: str = "") -> str:
    """A text field: a string (numbers, true/false, lists are refused, not turned into text), stripped,
    without control characters, at most `max_length` characters; empty gives `default` unless required."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise InvalidParameter(field, _("%(field)s: must be text, not %(kind)s.", field=field, kind=kind_of(raw)))
    text = raw.strip()
    if (code := refused_character(text)) is not None:
        raise InvalidParameter(field, control_character_message(field, code))
    if len(text) > max_length:
        raise InvalidParameter(field, _("%(field)s: at most %(max)s characters.", field=field, max=max_length))
    if not text:
        if required:
            raise InvalidParameter(field, _("%(field)s: required.", field=field))
        return default
    return text


# --- numbers and ids --------------------------------------------------------------------------


def whole_number(raw) -> int | None:
    """An int from an int or a text of ASCII digits (within 18 digits), else None; true/false and floats are not numbers."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and WHOLE_NUMBER.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def decimal_number(raw) -> Decimal | None:
    """A finite Decimal from a number or a text of ASCII digits (e.g. "12.5"), else None; true/false is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        return Decimal(raw.strip()) if DECIMAL_NUMBER.fullmatch(raw.strip()) else None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, (float, Decimal)):
        value = Decimal(str(raw))
        return value if value.is_finite() else None
    return None


def check_whole_number(field: str, raw, *, minimum: int, maximum: int, message: str, required_message: str | None = None) -> int:
    """A whole number in [minimum, maximum]; `message` when it is not one (or out of range)."""
    if required_message and (raw is None or (isinstance(raw, str) and not raw.strip())):
        raise InvalidParameter(field, required_message)
    value = whole_number(raw)
    if value is None or not minimum <= value <= maximum:
        raise InvalidParameter(field, message)
    return value


def check_id(field: str, raw) -> int:
    """A row id: a whole number from 1 to the id column's maximum."""
    message = _("%(field)s: must be the id of an existing item.", field=field)
    return check_whole_number(field, raw, minimum=1, maximum=ID_MAX, message=message)


def check_year(year, field: str = "year") -> int:
    """A year as int within the supported range (2000–2100), or InvalidParameter(field)."""
    return check_whole_number(
        field,
        year,
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
        message=_("year: must be a number from %(min)s to %(max)s.", min=YEAR_MIN, max=YEAR_MAX),
        required_message=_("year: required, a number from %(min)s to %(max)s.", min=YEAR_MIN, max=YEAR_MAX),
    )


def check_month(month, field: str = "month") -> int:
    """A month as int 1–12 (ASCII digits), or InvalidParameter(field)."""
    return check_whole_number(
        field,
        month,
        minimum=1,
        maximum=12,
        message=_("month: must be a number from 1 to 12."),
        required_message=_("month: required, a number from 1 to 12."),
    )


# --- codes ------------------------------------------------------------------------------------


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


def check_service(service, *, allow_all: bool = False, required: bool = False) -> str | None:
    """A service code (upper-cased), "ALL" when allowed, or None when optional and empty."""
    from .models import BUDGET_SCOPE_ALL, SERVICES

    allowed = ((BUDGET_SCOPE_ALL,) if allow_all else ()) + SERVICES
    text = check_text("service", service, max_length=CODE_TEXT_MAX).upper()
    if not text:
        if required:
            raise InvalidParameter("service", _("service: required, one of %(allowed)s.", allowed=", ".join(allowed)))
        return BUDGET_SCOPE_ALL if allow_all else None
    if text not in allowed:
        raise InvalidParameter(
            "service",
            _("service: unknown value '%(value)s'; use one of %(allowed)s.", value=shown(service), allowed=", ".join(allowed)),
        )
    return text


@cache
def _zone_names() -> frozenset[str]:
    """The IANA zone names this system knows (ZoneInfo alone would also open odd paths such as "UTC/../UTC")."""
    return frozenset(available_timezones())


def check_timezone(raw, field: str = "timezone") -> str:
    """An IANA time zone name such as Asia/Seoul (stripped), or InvalidParameter(field) quoting what was sent."""
    text = check_text(field, raw, max_length=ZONE_MAX)
    if text not in _zone_names():
        raise InvalidParameter(field, timezone_message(raw))
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidParameter(field, timezone_message(raw)) from None
    return text


def timezone_message(raw) -> str:
    """The message for an unknown time zone."""
    return _("Time zone: '%(zone)s' is not a known IANA time zone (e.g. Asia/Seoul).", zone=shown(raw or ""))


# --- money ------------------------------------------------------------------------------------


def _not_a_number(raw, field: str) -> InvalidParameter:
    """The refusal of an amount that is not a number."""
    return InvalidParameter(field, _("amount: '%(value)s' is not a number; enter digits such as 1234567.", value=shown(raw)))


def parse_amount(raw, field: str = "amount", negative: bool = False) -> Decimal:
    """A money amount ≥ 0 (below zero too with `negative`) with at most two decimals; "1,234,567" and "₩1,234"
    are accepted as typed.

    Any size is compared before rounding, so 1e30 or "1e100000" is "too large", never a decimal error.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise InvalidParameter(field, _("amount: required, a number of 0 or more."))
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise _not_a_number(raw, field)
    if isinstance(raw, int) and abs(raw) > 10**18:  # str() of a gigantic int fails; it is too large anyway
        raise InvalidParameter(
            field,
            _("amount: too large.")
            if raw > 0 or negative
            else _("amount: must be 0 or more (negative amounts are not allowed)."),
        )
    text = raw if isinstance(raw, str) else str(raw)
    text = text.strip().replace(",", "").replace("₩", "").replace(" ", "")
    if not AMOUNT_TEXT.fullmatch(text):
        raise _not_a_number(raw, field)
    value = Decimal(text)
    if value < 0 and not negative:
        raise InvalidParameter(field, _("amount: must be 0 or more (negative amounts are not allowed)."))
    if abs(value) > MAX_AMOUNT:
        raise InvalidParameter(field, _("amount: too large."))
    if value != value.quantize(CENT):
        raise InvalidParameter(field, _("amount: use at most 2 decimal places."))
    return value.quantize(CENT)


# --- dates ------------------------------------------------------------------------------------


def year_range_message(field: str) -> str:
    """The message for a date outside the supported years."""
    return _("%(field)s: the year must be from %(min)s to %(max)s.", field=field, min=YEAR_MIN, max=YEAR_MAX)


def check_date_year(field: str, value: date | datetime) -> date | datetime:
    """Refuse a date (or time) whose year is outside 2000–2100: reports, SLA and time zone arithmetic need sane years."""
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise InvalidParameter(field, year_range_message(field))
    return value


def check_iso_date(field: str, raw, message: str) -> date:
    """A date typed as YYYY-MM-DD (ASCII digits), a real calendar day, year 2000–2100; `message` when it is not one."""
    match = ISO_DATE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise InvalidParameter(field, message)
    try:
        value = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidParameter(field, message) from None
    return check_date_year(field, value)


class YearsInRange:
    """WTForms validator for a date or time field: typed with the digits 0–9, year 2000–2100 (message names the field)."""

    def __call__(self, form, field) -> None:
        """Raise ValidationError when the typed value or its year is refused."""
        if field.data is None:
            return
        label = str(field.label.text)
        if any(not str(raw).isascii() for raw in field.raw_data or ()):
            raise ValidationError(_("%(field)s: type the date with the digits 0–9.", field=label))
        if not YEAR_MIN <= field.data.year <= YEAR_MAX:
            raise ValidationError(year_range_message(label))


# --- passwords ----------------------------------------------------------------------------------


def password_problem(password: str, field: str = "password") -> str | None:
    """Why a new password is refused (control characters, or only spaces), or None."""
    if PASSWORD_REFUSED.search(password):
        return _("%(field)s: must not contain control characters (tab, new line and the like).", field=field)
    if not password.strip():
        return _("%(field)s: must not be only spaces.", field=field)
    return None


# --- the app-wide part --------------------------------------------------------------------------


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: ASCII digits up to the id column's maximum, so a bigger number is a 404, not a database error."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX, signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(text: str) -> int:
    """int() for query and form values: ASCII digits within ±ID_MAX, else ValueError (so `.get(type=int)` gives the default)."""
    value = whole_number(text)
    if value is None or abs(value) > ID_MAX:
        raise ValueError(f"not a whole number within ±{ID_MAX}")
    return value


class CheckedMultiDict(ImmutableMultiDict):
    """Query and form values whose `.get(key, default, type=int)` refuses Unicode digits and out-of-range numbers."""

    def get(self, key, default=None, type=None):
        """As MultiDict.get; `type=int` means bounded_int (page=10^20 or page=１２ falls back to the default)."""
        return super().get(key, default, bounded_int if type is int else type)


class CheckedValues:
    """Request mixin: query and form values are CheckedMultiDicts (put before the request class the extensions chose)."""

    parameter_storage_class = CheckedMultiDict


def _walk_json(value, path: str = "") -> Iterator[tuple[str, str]]:
    """(field, message) for each string (or key) with a refused character and each non-finite number in a JSON body."""
    stack = [(path, value)]
    while stack:  # iterative: a deeply nested body must not exhaust the stack
        where, item = stack.pop()
        if isinstance(item, str):
            if (code := refused_character(item)) is not None:
                yield where or "body", control_character_message(where or "body", code)
        elif isinstance(item, float) and not math.isfinite(item):
            yield where or "body", _("%(field)s: must be a finite number (NaN and Infinity are not JSON).", field=where or "body")
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{shown(key)}" if where else shown(key)
                if (code := refused_character(key)) is not None:
                    yield name, control_character_message(name, code)
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(item))


def _form_errors(values) -> dict[str, str]:
    """{field: message} for query or form values with a refused character in the name or the value."""
    errors = {}
    for key, value in values.items(multi=True):
        code = refused_character(key) or refused_character(value)
        if code is not None:
            errors.setdefault(shown(key), control_character_message(shown(key), code))
    return errors


def refuse_unstorable_text():
    """Before any view: refuse text that no column can store, naming the field — for every route at once.

    A URL part with such a character names nothing that exists (404); a query argument is a 400;
    a form field or a JSON body value a 422.  Pages show the error page listing the refused fields
    rather than the form: nobody can type these characters into a browser's field (they arrive from
    scripts, crafted requests or pasted binary), and checking once here, before any view, means no
    route — today's or a later one — can hand one to the database.
    """
    if any(isinstance(value, str) and refused_character(value) for value in (request.view_args or {}).values()):
        abort(404)
    if errors := _form_errors(request.args):
        raise FieldErrors(errors, 400)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    errors = _form_errors(request.form) if is_form else {}
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # the json module recurses per nesting level
            abort(400, description=_("The JSON body is nested too deeply."))
        errors.update(dict(_walk_json(body)))
    if errors:
        raise FieldErrors(errors, 422)


def register_input_checks(app: Flask) -> None:
    """Install the app-wide input checks; call before the blueprints (the URL converter binds when routes are added)."""
    app.url_map.converters["int"] = IdConverter
    # htmx-flask has already set its own request class; keep it and add the checked values on top
    app.request_class = type("CheckedRequest", (CheckedValues, app.request_class), {})
    app.before_request(refuse_unstorable_text)
