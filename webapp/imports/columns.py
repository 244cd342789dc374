"""The columns of each kind of import: English names, the Korean names the templates use, other spellings.

Headers are matched case-insensitively, ignoring spaces, underscores, hyphens and dots, in any order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from .reading import FileRefused


@dataclass(frozen=True)
class Column:
    """One column: its field name (English), its Korean header, other accepted headers, whether it is required."""

    field: str
    korean: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    "costs": (
        Column("year", "연도", ("년도", "년"), True, "2026"),
        Column("month", "월", (), True, "3"),
        Column("category", "분류", ("비용분류", "구분", "비용구분"), True, "소프트웨어 라이선스"),
        Column("service", "서비스", ("서비스명",), True, "ERP"),
        Column("amount", "금액", ("비용", "amount(krw)", "금액(원)"), True, "₩1,250,000"),
        Column("description", "설명", ("비고", "내용", "적요"), False, "ERP 연간 라이선스 3월분"),
        Column("department", "부서", ("부서명",), False, "정보화팀"),
        Column("server", "서버", ("서버명", "server name", "servername"), False, ""),
    ),
    "srs": (
        Column("code", "코드", ("sr번호", "sr코드", "번호", "sr code", "srcode", "ticket"), True, "SR-2026-0001"),
        Column("title", "제목", ("요청제목",), True, "ERP 로그인 오류"),
        Column("type", "유형", ("구분", "요청유형"), True, "인시던트"),
        Column("priority", "우선순위", ("중요도",), True, "P2"),
        Column("status", "상태", ("처리상태", "진행상태"), True, "완료"),
        Column("service", "서비스", ("서비스명",), False, "ERP"),
        Column("created_at", "접수일시", ("생성일시", "등록일시", "요청일시", "created", "opened_at"), True, "2026-03-02 09:15"),
        Column("resolved_at", "해결일시", ("완료일시", "처리일시", "resolved", "closed_at"), False, "2026-03-02 13:40"),
        Column("root_cause", "원인", ("근본원인", "root cause", "rootcause"), False, "세션 만료 설정 오류"),
        Column("assignee", "담당자", ("처리자",), False, "김담당"),
        Column("description", "내용", ("설명", "요청내용"), False, ""),
    ),
    "servers": (
        Column("server", "서버", ("서버명", "name", "이름", "호스트명", "hostname"), True, "erp-db-01"),
        Column("service", "서비스", ("서비스명",), False, "ERP"),
        Column("description", "설명", ("비고", "사양", "specs"), False, "DB 서버 16코어 64GB"),
        Column("year", "연도", ("년도", "년"), False, "2026"),
        Column("month", "월", (), False, "3"),
        Column("cpu", "CPU", ("cpu(%)", "cpu 사용률", "cpu사용률", "cpu_avg"), False, "42.5"),
        Column("memory", "메모리", ("memory(%)", "메모리 사용률", "메모리사용률", "mem", "memory_avg"), False, "61"),
        Column("disk", "디스크", ("disk(%)", "디스크 사용률", "디스크사용률", "disk_avg"), False, "70.2"),
    ),
}


FOCUS_NAMES = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ServiceName",
    "ServiceCategory",
    "SubAccountName",
    "ProviderName",
    "Tags",
)


def normalise(header: str) -> str:
    """A header as compared: lower case, without spaces, underscores, hyphens and dots."""
    return re.sub(r"[\s_\-.]+", "", header.strip().lstrip("\ufeff").lower())


COLUMNS["focus"] = tuple(Column(normalise(name), name) for name in FOCUS_NAMES)


def is_focus_header(header: list[str]) -> bool:
    """A FOCUS cost file: BilledCost and a billing or charge period column."""
    names = {normalise(name) for name in header if name}
    return "billedcost" in names and bool({"billingperiodstart", "chargeperiodstart"} & names)


def _lookup(kind: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in (column.field, column.korean, *column.aliases):
            names[normalise(name)] = column.field
    return names


def required_fields(kind: str) -> list[str]:
    return [column.field for column in COLUMNS[kind] if column.required]


def map_header(kind: str, header: list[str]) -> dict[str, int]:
    """{field: index of its column}; unknown headers are left out (shown as ignored in the preview)."""
    lookup = _lookup(kind)
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        field = lookup.get(normalise(name))
        if field and field not in mapping:
            mapping[field] = index
    return mapping


def header_matcher(kind: str):
    """For the reader's header search: a row is the header when it names at least two required columns."""
    lookup = _lookup(kind)
    needed = set(required_fields(kind))

    def is_header(cells: list[str]) -> bool:
        if kind == "costs" and is_focus_header(cells):
            return True
        found = {lookup.get(normalise(cell)) for cell in cells if cell}
        return len(found & needed) >= min(2, len(needed))

    return is_header


def check_mapping(kind: str, header: list[str], mapping: dict[str, int], options: dict | None = None) -> None:
    """Refuse a header that lacks a required column, naming what is missing and what was found."""
    if kind == "focus":
        options = options or {}
        needed = {
            "effectivecost" if options.get("amount") == "effective" else "billedcost",
            "chargeperiodstart" if options.get("month_from") == "charge" else "billingperiodstart",
            "chargecategory",
        }
        missing = [column for column in COLUMNS[kind] if column.field in needed and column.field not in mapping]
        if missing:
            raise FileRefused(
                _(
                    "Wrong columns: %(missing)s missing. The file's header: %(found)s.",
                    missing=", ".join(c.korean for c in missing),
                    found=", ".join(name for name in header if name) or "-",
                )
            )
        return
    missing = [column for column in COLUMNS[kind] if column.required and column.field not in mapping]
    if kind == "servers" and ("year" in mapping or "month" in mapping):
        missing += [c for c in COLUMNS[kind] if c.field in ("year", "month") and c.field not in mapping]
    if missing:
        raise FileRefused(
            _(
                "Wrong columns: %(missing)s missing. The file's header: %(found)s.",
                missing=", ".join(f"{c.korean} ({c.field})" for c in missing),
                found=", ".join(name for name in header if name) or "-",
            )
        )


def template_header(kind: str) -> list[str]:
    return [column.korean for column in COLUMNS[kind]]


def template_example(kind: str) -> list[str]:
    return [column.example for column in COLUMNS[kind]]
