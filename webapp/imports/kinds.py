"""The kinds of import: how a row of each is checked (clean), stored (write) and taken back (undo).

A kind's `clean(ctx, raw, row)` gives (values, {field: message}); `write(ctx, values_list)` stores checked
rows of one chunk inside the batch's transaction; `undo(ctx, batch)` removes exactly what the batch stored.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update

from ..analytics.periods import check_month
from ..costs.validation import DEPARTMENT_MAX, DESCRIPTION_MAX, check_code, parse_amount
from ..extensions import db
from ..models import (
    CATEGORIES,
    SERVICES,
    SR_PRIORITIES,
    SR_STATUSES,
    SR_TYPES,
    CostEntry,
    ImportBatch,
    Server,
    ServerMetric,
    ServiceRequest,
    local_code_date,
    utcnow,
)
from ..validation import (
    CENT,
    REFUSED_CHARACTERS,
    YEAR_MAX,
    YEAR_MIN,
    FieldErrors,
    InvalidParameter,
    check_date_year,
    check_text,
    check_year,
    checked,
    decimal_number,
    shown,
)
from .columns import normalise

# Korean (and English) labels accepted for codes; the codes themselves are always accepted.
CATEGORY_NAMES = {normalise(label): code for code, label in CATEGORIES.items()} | {
    normalise(name): code
    for name, code in {
        "서버": "SERVER",
        "네트워크": "NETWORK",
        "통신비": "NETWORK",
        "스토리지": "STORAGE",
        "라이선스": "LICENSE",
        "라이센스": "LICENSE",
        "유지보수": "MAINTENANCE",
        "인건비": "PERSONNEL",
        "기타": "OTHER",
    }.items()
}
SERVICE_NAMES = {
    normalise(name): code
    for name, code in {"그룹웨어": "GROUPWARE", "보안": "SECURITY", "인프라": "INFRA", "백업": "BACKUP", "기타": "OTHER"}.items()
}
SR_TYPE_NAMES = {
    normalise(name): code
    for name, code in {
        "서비스 요청": "REQUEST",
        "요청": "REQUEST",
        "service request": "REQUEST",
        "인시던트": "INCIDENT",
        "장애": "INCIDENT",
        "문제": "PROBLEM",
        "변경": "CHANGE",
    }.items()
}
SR_PRIORITY_NAMES = {
    normalise(name): code
    for name, code in {
        "P1 긴급": "P1",
        "긴급": "P1",
        "P2 높음": "P2",
        "높음": "P2",
        "P3 보통": "P3",
        "보통": "P3",
        "P4 낮음": "P4",
        "낮음": "P4",
    }.items()
}
SR_STATUS_NAMES = {
    normalise(name): code
    for name, code in {
        "접수": "OPEN",
        "open": "OPEN",
        "진행 중": "IN_PROGRESS",
        "진행중": "IN_PROGRESS",
        "처리중": "IN_PROGRESS",
        "in progress": "IN_PROGRESS",
        "완료": "DONE",
        "종료": "DONE",
        "취소": "CANCELLED",
        "canceled": "CANCELLED",
    }.items()
}


@dataclass
class Context:
    """What one batch's checks and writes share: the tenant, the options and lookups loaded once."""

    batch: ImportBatch
    zone: str
    user_id: int | None
    options: dict
    mapping: dict[str, int] = field(default_factory=dict)
    servers: dict[str, int] = field(default_factory=dict)  # name → id (the tenant's servers)
    seen: dict = field(default_factory=dict)  # key → first row, for duplicates inside the file
    months: set = field(default_factory=set)
    created: int = 0
    updated: int = 0
    undo: dict = field(default_factory=dict)
    codes: object = None
    copy: object = None  # the open COPY into cost_entries (PostgreSQL); False while the first rows are held back
    memo: dict = field(default_factory=dict)  # column → {cell: checked value}, for values that repeat
    lines: list = field(default_factory=list)  # checked rows waiting for the COPY

    @property
    def tenant_id(self) -> int:
        return self.batch.tenant_id


def as_text(raw):
    """Text fields accept what a spreadsheet holds: numbers and dates as their text."""
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    return str(raw)


def labelled_code(field: str, raw, allowed: tuple[str, ...], names: dict[str, str]) -> str:
    """A code from a fixed list, given as the code or as its Korean label."""
    text = as_text(raw)
    if isinstance(text, str) and (code := names.get(normalise(text))):
        return code
    return check_code(field, text, allowed)


MEMO_MAX = 10000  # distinct cell values remembered per column (a large file repeats its codes, periods and names)


def remembered(memo: dict, raw, work: Callable):
    """work(raw), remembered for empty and text cells (up to MEMO_MAX of them): 1, 1.0 and True are one dict key, so
    other cells are worked out each time, as is a cell whose work raises (the exception is not kept)."""
    if raw is not None and type(raw) is not str:
        return work(raw)
    value = memo.get(raw, memo)
    if value is memo:
        value = work(raw)
        if len(memo) < MEMO_MAX:
            memo[raw] = value
    return value


def plain_whole(raw) -> int | None:
    """An int cell, or a text of ASCII digits, as an int; None for anything else (the checks then decide)."""
    if type(raw) is int:
        return raw
    if type(raw) is str and raw.isascii() and raw.isdigit():
        return int(raw)
    return None


def fast_year(raw) -> int:
    """check_year without building its (translated) message for the usual good value: a million rows add up."""
    value = plain_whole(raw)
    if value is not None and YEAR_MIN <= value <= YEAR_MAX:
        return value
    return check_year(_whole("year", raw))


def fast_month(raw) -> int:
    """check_month, likewise."""
    value = plain_whole(raw)
    if value is not None and 1 <= value <= 12:
        return value
    return check_month(_whole("month", raw))


def _whole(field: str, raw) -> object:
    """A whole number from a spreadsheet value (floats that are whole numbers included)."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


# --- costs --------------------------------------------------------------------------------------


class CostCodes:
    """COST-YYYYMMDD-XXXXXX codes for many entries: six random hex digits not yet used that day in the tenant.

    A bitmap of the 16.7 million suffixes (2 MB) holds those taken, so a million codes cost no set of strings.
    """

    def __init__(self, tenant_id: int, zone: str):
        self.prefix = f"COST-{local_code_date(utcnow(), zone)}-"
        self.taken = bytearray(1 << 21)
        self.count = 0
        taken = select(CostEntry.code).where(CostEntry.tenant_id == tenant_id, CostEntry.code.startswith(self.prefix))
        # streamed (a server-side cursor on PostgreSQL): a day with a million codes already is not held in memory
        for code in db.session.scalars(taken.execution_options(yield_per=20000)):
            try:
                self._take(int(code[len(self.prefix) :], 16))
            except ValueError:
                continue
        self.random = random.Random()

    def _take(self, number: int) -> bool:
        byte, bit = divmod(number, 8)
        if self.taken[byte] >> bit & 1:
            return False
        self.taken[byte] |= 1 << bit
        self.count += 1
        return True

    def next(self) -> str:
        if self.count >= (1 << 24) - 1:
            raise RuntimeError("no free cost code left today")
        while True:
            number = self.random.getrandbits(24)
            if self._take(number):
                return f"{self.prefix}{number:06X}"


def _won(raw):
    """Korean Excel writes the full-width won sign (￦, the one CP949 has); parse_amount knows ₩."""
    return raw.replace("\uffe6", "\u20a9") if isinstance(raw, str) else raw


def _tenant_servers(tenant_id: int) -> dict[str, int]:
    return {
        name.lower(): server_id
        for server_id, name in db.session.execute(select(Server.id, Server.name).where(Server.tenant_id == tenant_id))
    }


# PostgreSQL: checked rows are streamed with COPY (psycopg 3) into cost_entries inside the batch's one
# open transaction, while the file is still being read and checked: the server writes the rows and
# their indexes on its own core while this process checks the next ones.  The transaction is the
# staging area — nobody sees a row before the commit, the COPY is one statement (the rollup trigger
# runs once, for the whole batch), and the first refused row cancels the COPY, so the rollback leaves
# nothing.  The first rows are held back and checked before the COPY starts, so a file that is wrong
# from the start never reaches the table.
COPIED = (
    "tenant_id, year, month, category, service, amount, description, department, server_id, code, "
    "batch_id, created_by_id, created_at, updated_at"
)
COPY_FIRST = 20000  # rows checked before the COPY starts
COPY_EVERY = 2000  # rows sent to the server at a time
REMEMBERED = (("category", "category"), ("service", "service"), ("department", "department"), ("server_id", "server"))
COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
PLAIN_AMOUNT = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,2})?")  # what parse_amount reads without a message


def copy_text(text: str) -> str:
    """A value as COPY's text format writes it (backslash, tab and line ends escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(COPY_ESCAPES)
    return text


class Costs:
    """Cost entries in the app's own columns."""

    name = "costs"

    def prepare(self, ctx: Context) -> None:
        ctx.servers = _tenant_servers(ctx.tenant_id)
        ctx.memo = {name: {} for name, _source in REMEMBERED}

    def _server(self, ctx: Context, raw) -> int | None:
        name = check_text("server", as_text(raw), max_length=100)
        if not name:
            return None
        server_id = ctx.servers.get(name.lower())
        if server_id is None:
            raise InvalidParameter("server", _("server: unknown server '%(name)s'.", name=shown(name)))
        return server_id

    def checks(self, ctx: Context, raw: dict) -> dict:
        """Each field's check: the one definition of what a cost row may hold."""
        return {
            "year": lambda: fast_year(raw.get("year")),
            "month": lambda: fast_month(raw.get("month")),
            "category": lambda: labelled_code("category", raw.get("category"), tuple(CATEGORIES), CATEGORY_NAMES),
            "service": lambda: labelled_code("service", raw.get("service"), SERVICES, SERVICE_NAMES),
            "amount": lambda: parse_amount(_won(raw.get("amount"))),
            "description": lambda: check_text("description", as_text(raw.get("description")), max_length=DESCRIPTION_MAX),
            "department": lambda: check_text(
                "department", as_text(raw.get("department")), max_length=DEPARTMENT_MAX, default="IT"
            ),
            "server_id": lambda: self._server(ctx, raw.get("server")),
        }

    def clean(self, ctx: Context, raw: dict, row: int):
        values = self.quick(ctx, raw)
        if values is not None:
            return values, {}
        return checked(self.checks(ctx, raw))

    def quick(self, ctx: Context, raw: dict) -> dict | None:
        """The same values as the checks for the usual row, found without them; None sends the row to the checks.

        A million-row file is mostly rows like the one before: categories, services, departments and
        servers repeat (their checks are remembered per value), years and months are digits, amounts plain
        numbers.  Anything else — and every refused value — goes through the checks, which give the message.
        """
        year, month = plain_whole(raw.get("year")), plain_whole(raw.get("month"))
        if year is None or month is None or not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
            return None
        amount = raw.get("amount")
        if type(amount) is str:
            text = amount.replace(",", "") if "," in amount else amount
            if not PLAIN_AMOUNT.fullmatch(text):
                return None
            amount = Decimal(text).quantize(CENT)
        elif type(amount) is int and 0 <= amount < 10**16:
            amount = Decimal(amount).quantize(CENT)
        else:
            return None
        description = raw.get("description")
        if description is None:
            description = ""
        elif type(description) is str:
            description = description.strip()
            if len(description) > DESCRIPTION_MAX or REFUSED_CHARACTERS.search(description):
                return None
        else:
            return None
        values = {"year": year, "month": month, "amount": amount, "description": description}
        for name, source in REMEMBERED:
            try:
                values[name] = remembered(ctx.memo[name], raw.get(source), lambda _cell, name=name: self.checks(ctx, raw)[name]())
            except FieldErrors:
                return None
        return values

    def write(self, ctx: Context, chunk: list[dict]) -> None:
        if ctx.codes is None:
            ctx.codes = CostCodes(ctx.tenant_id, ctx.zone)
        now = utcnow()
        rows = []
        for values in chunk:
            rows.append(
                {
                    "tenant_id": ctx.tenant_id,
                    "code": ctx.codes.next(),
                    "original_amount": None,
                    "original_currency": None,
                    "charge_category": None,
                    "line_count": None,
                    **values,
                    "batch_id": ctx.batch.id,
                    "created_by_id": ctx.user_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            ctx.months.add((values["year"], values["month"]))
        db.session.execute(insert(CostEntry), rows)
        ctx.created += len(rows)

    def stages(self, ctx: Context) -> bool:
        return db.session.get_bind().dialect.name == "postgresql"

    def stage(self, ctx: Context, values: dict) -> None:
        """Queue one checked row for the COPY (see COPIED above)."""
        if ctx.copy is None:
            ctx.codes = CostCodes(ctx.tenant_id, ctx.zone)
            now = utcnow().isoformat()
            ctx.line_end = f"\t{ctx.batch.id}\t{COPY_NULL if ctx.user_id is None else ctx.user_id}\t{now}\t{now}\n"
            ctx.line_start = f"{ctx.tenant_id}\t"
            ctx.lines = []
            ctx.copy = False  # lines are held back until COPY_FIRST rows have passed
        server_id = values["server_id"]
        ctx.lines.append(
            f"{ctx.line_start}{values['year']}\t{values['month']}\t{values['category']}\t{values['service']}\t"
            f"{values['amount']}\t{copy_text(values['description'])}\t{copy_text(values['department'])}\t"
            f"{COPY_NULL if server_id is None else server_id}\t{ctx.codes.next()}{ctx.line_end}"
        )
        ctx.months.add((values["year"], values["month"]))
        ctx.created += 1
        if len(ctx.lines) >= (COPY_EVERY if ctx.copy else COPY_FIRST):
            self._send(ctx)

    def _send(self, ctx: Context) -> None:
        if not ctx.copy:
            raw = db.session.connection().connection.driver_connection
            ctx.copy_cursor = raw.cursor()
            ctx.copy_context = ctx.copy_cursor.copy(f"COPY cost_entries ({COPIED}) FROM STDIN")
            ctx.copy = ctx.copy_context.__enter__()
        ctx.copy.write("".join(ctx.lines))
        ctx.lines = []

    def abandon(self, ctx: Context) -> None:
        """Cancel the COPY at the first refused row (the rollback then leaves nothing); later rows are only checked."""
        if ctx.copy:
            try:
                ctx.copy_context.__exit__(RuntimeError, RuntimeError("refused"), None)
            except Exception:  # noqa: BLE001 — the COPY is cancelled on purpose
                pass
            ctx.copy_cursor.close()
        ctx.copy = None
        ctx.lines = []

    def finish(self, ctx: Context) -> None:
        """Send the last rows and end the COPY: the rows are in cost_entries, in the batch's transaction."""
        if ctx.copy is None:
            return
        if ctx.lines:
            self._send(ctx)
        ctx.copy_context.__exit__(None, None, None)
        ctx.copy_cursor.close()
        ctx.copy = None

    def undo(self, ctx: Context, batch: ImportBatch) -> None:
        ctx.months = {
            (year, month)
            for year, month in db.session.execute(
                select(CostEntry.year, CostEntry.month).where(CostEntry.batch_id == batch.id).distinct()
            )
        }
        result = db.session.execute(
            delete(CostEntry).where(CostEntry.batch_id == batch.id, CostEntry.tenant_id == batch.tenant_id)
        )
        ctx.created = result.rowcount


# --- service requests ---------------------------------------------------------------------------


def parse_time(field: str, raw, zone: str, required: bool = False) -> datetime | None:
    """A time from a cell: a spreadsheet date, an Excel serial number or text (2026-03-02 09:15, 2026/03/02,
    2026.03.02 09:15:00, ISO 8601 with an offset); without an offset it is in the tenant's zone."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise InvalidParameter(field, _("%(field)s: required, a date and time such as 2026-03-02 09:15.", field=field))
        return None
    message = _("%(field)s: '%(value)s' is not a date and time such as 2026-03-02 09:15.", field=field, value=shown(as_text(raw)))
    if isinstance(raw, bool):
        raise InvalidParameter(field, message)
    if isinstance(raw, (int, float, Decimal)):
        from openpyxl.utils.datetime import from_excel

        try:
            value = from_excel(float(raw))
        except (ValueError, OverflowError, TypeError):
            raise InvalidParameter(field, message) from None
    elif isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw).strip().replace("Z", "+00:00")
        date_part, _sep, rest = text.partition(" ") if "T" not in text else text.partition("T")
        text = date_part.replace("/", "-").replace(".", "-") + (" " + rest if rest else "")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidParameter(field, message) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    check_date_year(field, value)
    return value.astimezone(ZoneInfo("UTC"))


SR_FIELDS = (
    "title",
    "type",
    "priority",
    "status",
    "service",
    "created_at",
    "resolved_at",
    "root_cause",
    "assignee",
    "description",
)


class ServiceRequests:
    """Service requests; a code that exists already is updated, not duplicated."""

    name = "srs"

    def prepare(self, ctx: Context) -> None:
        pass

    def clean(self, ctx: Context, raw: dict, row: int):
        values, errors = checked(
            {
                "code": lambda: check_text("code", as_text(raw.get("code")), max_length=32, required=True),
                "title": lambda: check_text("title", as_text(raw.get("title")), max_length=300, required=True),
                "type": lambda: labelled_code("type", raw.get("type"), SR_TYPES, SR_TYPE_NAMES),
                "priority": lambda: labelled_code("priority", raw.get("priority"), SR_PRIORITIES, SR_PRIORITY_NAMES),
                "status": lambda: labelled_code("status", raw.get("status"), SR_STATUSES, SR_STATUS_NAMES),
                "service": lambda: (
                    labelled_code("service", raw.get("service"), SERVICES, SERVICE_NAMES) if raw.get("service") else "OTHER"
                ),
                "created_at": lambda: parse_time("created_at", raw.get("created_at"), ctx.zone, required=True),
                "resolved_at": lambda: parse_time("resolved_at", raw.get("resolved_at"), ctx.zone),
                "root_cause": lambda: check_text("root_cause", as_text(raw.get("root_cause")), max_length=200) or None,
                "assignee": lambda: check_text("assignee", as_text(raw.get("assignee")), max_length=100) or None,
                "description": lambda: check_text("description", as_text(raw.get("description")), max_length=5000),
            }
        )
        if values.get("created_at") and values.get("resolved_at") and values["resolved_at"] < values["created_at"]:
            errors["resolved_at"] = _("resolved_at: is before created_at.")
        if values.get("status") == "DONE" and "resolved_at" in values and values["resolved_at"] is None:
            errors["resolved_at"] = _("resolved_at: required when the status is DONE.")
        if code := values.get("code"):
            first = ctx.seen.setdefault(code, row)
            if first != row:
                errors["code"] = _("code: '%(code)s' is also on row %(row)s of the file.", code=shown(code), row=first)
        return values, errors

    def write(self, ctx: Context, chunk: list[dict]) -> None:
        codes = [values["code"] for values in chunk]
        existing = {
            sr.code: sr
            for sr in db.session.scalars(
                select(ServiceRequest).where(ServiceRequest.tenant_id == ctx.tenant_id, ServiceRequest.code.in_(codes))
            )
        }
        new_rows = []
        previous = ctx.undo.setdefault("srs", {})
        now = utcnow()
        for values in chunk:
            sr = existing.get(values["code"])
            if sr is None:
                new_rows.append({"tenant_id": ctx.tenant_id, **values, "batch_id": ctx.batch.id, "updated_at": now})
                continue
            changed = {name: getattr(sr, name) for name in SR_FIELDS if getattr(sr, name) != values[name]}
            if changed:
                previous[str(sr.id)] = {name: _json_value(value) for name, value in changed.items()}
                for name in changed:
                    setattr(sr, name, values[name])
            ctx.updated += 1
        if new_rows:
            db.session.execute(insert(ServiceRequest), new_rows)
            ctx.created += len(new_rows)
        db.session.flush()

    def undo(self, ctx: Context, batch: ImportBatch) -> None:
        for sr_id, old in ((batch.undo_data or {}).get("srs") or {}).items():
            sr = db.session.get(ServiceRequest, int(sr_id))
            if sr is not None and sr.tenant_id == batch.tenant_id:
                for name, value in old.items():
                    setattr(sr, name, _from_json(name, value))
        result = db.session.execute(
            delete(ServiceRequest).where(ServiceRequest.batch_id == batch.id, ServiceRequest.tenant_id == batch.tenant_id)
        )
        ctx.created = result.rowcount


def _json_value(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _from_json(name, value):
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return Decimal(value["d"])
    return value


# --- servers and utilisation --------------------------------------------------------------------


def _percent(field: str, raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = raw.strip().rstrip("%").strip() if isinstance(raw, str) else raw
    value = decimal_number(text)
    if value is None or not 0 <= value <= 100:
        raise InvalidParameter(field, _("%(field)s: must be a percentage from 0 to 100.", field=field))
    return value.quantize(Decimal("0.01"))


class Servers:
    """The server inventory and, when the file has year and month, each server's monthly utilisation."""

    name = "servers"

    def prepare(self, ctx: Context) -> None:
        ctx.servers = _tenant_servers(ctx.tenant_id)

    def metrics(self, ctx: Context) -> bool:
        return "year" in ctx.mapping

    def clean(self, ctx: Context, raw: dict, row: int):
        checks = {
            "server": lambda: check_text("server", as_text(raw.get("server")), max_length=100, required=True),
            "service": lambda: (
                labelled_code("service", raw.get("service"), SERVICES, SERVICE_NAMES) if raw.get("service") else None
            ),
            "description": lambda: check_text("description", as_text(raw.get("description")), max_length=2000) or None,
        }
        if self.metrics(ctx):
            checks |= {
                "year": lambda: fast_year(raw.get("year")),
                "month": lambda: fast_month(raw.get("month")),
                "cpu": lambda: _percent("cpu", raw.get("cpu")),
                "memory": lambda: _percent("memory", raw.get("memory")),
                "disk": lambda: _percent("disk", raw.get("disk")),
            }
        values, errors = checked(checks)
        name = values.get("server")
        if name and self.metrics(ctx):
            if name.lower() not in ctx.servers and not ctx.options.get("create_servers"):
                errors["server"] = _("server: unknown server '%(name)s'.", name=shown(name))
            if "year" in values and "month" in values:
                key = (name.lower(), values["year"], values["month"])
                first = ctx.seen.setdefault(key, row)
                if first != row:
                    errors["month"] = _("month: this server's month is also on row %(row)s of the file.", row=first)
        elif name:
            first = ctx.seen.setdefault(name.lower(), row)
            if first != row:
                errors["server"] = _("server: '%(name)s' is also on row %(row)s of the file.", name=shown(name), row=first)
        return values, errors

    def _server_id(self, ctx: Context, values: dict) -> int:
        key = values["server"].lower()
        server_id = ctx.servers.get(key)
        if server_id is None:
            server = Server(
                tenant_id=ctx.tenant_id,
                name=values["server"],
                service=values.get("service") or "OTHER",
                description=values.get("description") or "",
                batch_id=ctx.batch.id,
            )
            db.session.add(server)
            db.session.flush()
            ctx.servers[key] = server_id = server.id
            ctx.undo.setdefault("created_servers", []).append(server.id)
            if not self.metrics(ctx):
                ctx.created += 1
            return server_id
        changes = {name: values[name] for name in ("service", "description") if values.get(name) is not None}
        if changes:
            server = db.session.get(Server, server_id)
            old = {name: getattr(server, name) for name in changes if getattr(server, name) != changes[name]}
            if old:
                ctx.undo.setdefault("servers", {}).setdefault(str(server_id), old)
                for name in old:
                    setattr(server, name, changes[name])
                if not self.metrics(ctx):
                    ctx.updated += 1
        return server_id

    def write(self, ctx: Context, chunk: list[dict]) -> None:
        for values in chunk:
            server_id = self._server_id(ctx, values)
            if not self.metrics(ctx):
                continue
            metric = db.session.scalar(
                select(ServerMetric).where(
                    ServerMetric.server_id == server_id,
                    ServerMetric.year == values["year"],
                    ServerMetric.month == values["month"],
                )
            )
            figures = {"cpu_avg": values["cpu"], "memory_avg": values["memory"], "disk_avg": values["disk"]}
            if metric is None:
                db.session.add(
                    ServerMetric(
                        tenant_id=ctx.tenant_id,
                        server_id=server_id,
                        year=values["year"],
                        month=values["month"],
                        batch_id=ctx.batch.id,
                        **figures,
                    )
                )
                ctx.created += 1
            else:
                ctx.undo.setdefault("metrics", {})[str(metric.id)] = {
                    name: _json_value(getattr(metric, name)) for name in figures
                }
                for name, value in figures.items():
                    setattr(metric, name, value)
                ctx.updated += 1
        db.session.flush()

    def undo(self, ctx: Context, batch: ImportBatch) -> None:
        data = batch.undo_data or {}
        for metric_id, old in (data.get("metrics") or {}).items():
            db.session.execute(
                update(ServerMetric)
                .where(ServerMetric.id == int(metric_id), ServerMetric.tenant_id == batch.tenant_id)
                .values({name: _from_json(name, value) for name, value in old.items()})
            )
        for server_id, old in (data.get("servers") or {}).items():
            db.session.execute(update(Server).where(Server.id == int(server_id), Server.tenant_id == batch.tenant_id).values(old))
        result = db.session.execute(
            delete(ServerMetric).where(ServerMetric.batch_id == batch.id, ServerMetric.tenant_id == batch.tenant_id)
        )
        servers = db.session.execute(delete(Server).where(Server.batch_id == batch.id, Server.tenant_id == batch.tenant_id))
        ctx.created = result.rowcount + servers.rowcount
