"""The import pipeline on both databases: encodings, headers in Korean, XLSX, whole-file validation, re-import, undo."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.analytics.totals import rollup_differences
from webapp.imports.pipeline import DuplicateFile, errors_csv, store_upload, undo_batch
from webapp.imports.reading import FileRefused
from webapp.models import CostEntry, CostMonthlyTotal, ImportBatch, Server, ServerMetric, ServiceRequest, User

from ..factories import csv_file, xlsx_file

KOREAN_COSTS = [
    ["금액", "월", "연도", "분류", "서비스", "설명", "부서"],  # any order
    ["\uffe61,250,000", "3", "2026", "소프트웨어 라이선스", "ERP", "ERP 라이선스", "정보화팀"],
    [" 2,000.50 ", "3", "2026", "SERVER", "mes", "  서버 운영  ", ""],
    ["300", "4", "2026", "네트워크/통신비", "INFRA", "", ""],
]


def _month_total(db, tenant_id, year, month):
    return db.session.scalar(
        select(func.coalesce(func.sum(CostMonthlyTotal.amount), 0)).where(
            CostMonthlyTotal.tenant_id == tenant_id, CostMonthlyTotal.year == year, CostMonthlyTotal.month == month
        )
    )


def test_cp949_csv_with_korean_headers_and_labels(db, tenant, run_import):
    batch = run_import("costs", csv_file(KOREAN_COSTS, "cp949"))
    assert batch.status == "DONE", (batch.message, batch.errors)
    assert batch.options["encoding"] == "cp949"
    assert (batch.rows, batch.created_count) == (3, 3)
    entries = db.session.scalars(select(CostEntry).order_by(CostEntry.amount)).all()
    assert [(e.category, e.service, e.amount) for e in entries] == [
        ("NETWORK", "INFRA", Decimal("300.00")),
        ("SERVER", "MES", Decimal("2000.50")),
        ("LICENSE", "ERP", Decimal("1250000.00")),
    ]
    assert {e.batch_id for e in entries} == {batch.id}
    assert entries[1].description == "서버 운영" and entries[1].department == "IT"
    assert entries[2].department == "정보화팀"
    assert _month_total(db, tenant.id, 2026, 3) == Decimal("1252000.50")
    assert rollup_differences(tenant.id) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom(db, tenant, run_import, encoding):
    batch = run_import("costs", csv_file([*KOREAN_COSTS, ["₩5", "1", "2026", "OTHER", "OTHER", "", ""]], encoding))
    assert batch.status == "DONE"
    assert _month_total(db, tenant.id, 2026, 1) == Decimal("5.00")
    assert db.session.scalar(select(CostEntry.description).where(CostEntry.amount == Decimal("1250000"))) == "ERP 라이선스"


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_other_encodings_are_refused_and_nothing_is_stored(db, tenant, run_import, encoding):
    rows = [["year", "month", "category", "service", "amount", "description"], ["2026", "3", "SERVER", "MES", "10", "Café ÿþ"]]
    content = csv_file(rows, encoding)
    if encoding == "latin-1":
        content = content.replace(b"Caf\xe9", b"Caf\xe9\xff\xfe\x80")  # not UTF-8, and not CP949 either
    with pytest.raises(FileRefused) as refused:
        run_import("costs", content)
    assert "UTF-8" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


def test_xlsx_with_title_row_formula_and_serial_dates(db, tenant, run_import):
    costs = xlsx_file(
        [["연도", "월", "분류", "서비스", "금액"], [2026, 5, "LICENSE", "ERP", "=1000*2"], [2026, 5, "서버 운영비", "MES", 1500]],
        title="2026년 5월 IT 비용 (정보화팀)",
        cached={"=1000*2": "2000"},
    )
    batch = run_import("costs", costs, "costs.xlsx")
    assert batch.status == "DONE", (batch.message, batch.errors)
    assert batch.format == "xlsx"
    assert _month_total(db, tenant.id, 2026, 5) == Decimal("3500.00")

    srs = xlsx_file(
        [
            ["코드", "제목", "유형", "우선순위", "상태", "접수일시", "해결일시"],
            ["SR-1", "로그인 오류", "인시던트", "P1 긴급", "완료", 46083.375, "2026-03-02 13:30"],  # 2026-03-02 09:00
        ]
    )
    batch = run_import("srs", srs, "srs.xlsx")
    assert batch.status == "DONE", (batch.message, batch.errors)
    sr = db.session.scalar(select(ServiceRequest))
    assert (sr.type, sr.priority, sr.status) == ("INCIDENT", "P1", "DONE")
    assert sr.created_at.isoformat() == "2026-03-02T00:00:00+00:00"  # 09:00 in Seoul
    assert sr.resolved_at.isoformat() == "2026-03-02T04:30:00+00:00"


def test_xlsx_formula_without_saved_value_is_refused(db, tenant, run_import):
    content = xlsx_file([["연도", "월", "분류", "서비스", "금액"], [2026, 5, "LICENSE", "ERP", "=1000*2"]])
    with pytest.raises(FileRefused) as refused:
        run_import("costs", content, "costs.xlsx")
    assert "formula" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (csv_file([["year", "month", "category", "service", "amount"]]), "no data"),
        (csv_file([["연도", "월", "금액"], ["2026", "1", "5"]]), "Wrong columns"),
        (csv_file([["name", "price"], ["a", "1"]]), "Wrong columns"),
    ],
)
def test_empty_header_only_and_wrong_columns(db, tenant, run_import, content, words):
    with pytest.raises(FileRefused) as refused:
        run_import("costs", content)
    assert words in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_reimport_of_the_same_file_is_refused_unless_confirmed(db, tenant, run_import):
    content = csv_file(KOREAN_COSTS)
    first = run_import("costs", content)
    with pytest.raises(DuplicateFile) as duplicate:
        run_import("costs", content)
    assert duplicate.value.batch.id == first.id
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 3
    second = run_import("costs", content, force=True)
    assert second.status == "DONE"
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 6


def test_one_bad_row_imports_nothing_and_names_row_and_column(db, tenant, run_import):
    rows = [*KOREAN_COSTS, ["12,x00", "13", "2026", "하드웨어", "ERP", "", ""]]
    batch = run_import("costs", csv_file(rows))
    assert batch.status == "FAILED"
    assert batch.error_count == 3
    assert {(e["row"], e["column"]) for e in batch.errors} == {(5, "금액"), (5, "월"), (5, "분류")}
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
    text = errors_csv(batch).decode("utf-8-sig")
    assert "5,금액," in text


def test_undo_removes_exactly_the_batch_and_totals_return(db, tenant, run_import):
    run_import("costs", csv_file([KOREAN_COSTS[0], ["100", "3", "2026", "SERVER", "MES", "", ""]]))
    before = _month_total(db, tenant.id, 2026, 3)
    batch = run_import("costs", csv_file(KOREAN_COSTS))
    assert _month_total(db, tenant.id, 2026, 3) == before + Decimal("1252000.50")
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert undo_batch(batch, admin) == 3
    db.session.expire_all()
    assert _month_total(db, tenant.id, 2026, 3) == before
    assert _month_total(db, tenant.id, 2026, 4) == 0
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 1
    assert db.session.get(ImportBatch, batch.id).status == "UNDONE"
    assert rollup_differences(tenant.id) == 0


SRS = [
    ["SR번호", "제목", "유형", "우선순위", "상태", "서비스", "접수일시", "해결일시", "담당자"],
    ["SR-1", "ERP 로그인 오류", "장애", "P2", "접수", "ERP", "2026-03-02 09:15", "", "김"],
    ["SR-2", "계정 요청", "REQUEST", "p4", "IN_PROGRESS", "", "2026-03-03T10:00:00+00:00", "", ""],
]


def test_sr_reimport_updates_status_instead_of_duplicating(db, tenant, run_import):
    first = run_import("srs", csv_file(SRS))
    assert (first.status, first.created_count, first.updated_count) == ("DONE", 2, 0)
    week_later = [SRS[0], [*SRS[1][:4], "완료", "ERP", "2026-03-02 09:15", "2026-03-04 18:00", "박"], SRS[2]]
    week_later.append(["SR-3", "백업 실패", "INCIDENT", "P1", "OPEN", "BACKUP", "2026-03-05 01:00", "", ""])
    second = run_import("srs", csv_file(week_later))
    assert (second.status, second.created_count, second.updated_count) == ("DONE", 1, 2)
    srs = {sr.code: sr for sr in db.session.scalars(select(ServiceRequest))}
    assert len(srs) == 3
    assert (srs["SR-1"].status, srs["SR-1"].assignee) == ("DONE", "박")
    assert srs["SR-2"].created_at.isoformat() == "2026-03-03T10:00:00+00:00"
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    undo_batch(second, admin)
    db.session.expire_all()
    srs = {sr.code: sr for sr in db.session.scalars(select(ServiceRequest))}
    assert set(srs) == {"SR-1", "SR-2"}
    assert (srs["SR-1"].status, srs["SR-1"].assignee, srs["SR-1"].resolved_at) == ("OPEN", "김", None)


def test_sr_row_errors(db, tenant, run_import):
    rows = [
        SRS[0],
        ["SR-1", "a", "INCIDENT", "P2", "DONE", "", "2026-03-02 09:15", "2026-03-01 09:15", ""],
        ["SR-2", "b", "INCIDENT", "P2", "DONE", "", "2026-03-02 09:15", "", ""],
        ["SR-3", "c", "BUG", "P9", "OPEN", "", "2026-03-02 09:15", "", ""],
        ["SR-3", "d", "INCIDENT", "P2", "OPEN", "", "어제", "", ""],
    ]
    batch = run_import("srs", csv_file(rows))
    assert batch.status == "FAILED"
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert found == {(2, "해결일시"), (3, "해결일시"), (4, "유형"), (4, "우선순위"), (5, "SR번호"), (5, "접수일시")}
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


def test_servers_then_utilisation_and_unknown_server(db, tenant, run_import):
    inventory = run_import(
        "servers", csv_file([["서버명", "서비스", "설명"], ["erp-db-01", "ERP", "DB"], ["mes-app", "MES", ""]])
    )
    assert (inventory.status, inventory.created_count) == ("DONE", 2)
    usage = [
        ["서버", "연도", "월", "CPU", "메모리", "디스크"],
        ["erp-db-01", 2026, 3, "42.5", "61", "70%"],
        ["ghost", 2026, 3, 1, 1, 1],
    ]
    refused = run_import("servers", csv_file(usage))
    assert refused.status == "FAILED"
    assert [(e["row"], e["column"]) for e in refused.errors] == [(3, "서버")]
    batch = run_import("servers", csv_file(usage), create_servers=True)
    assert (batch.status, batch.created_count) == ("DONE", 2)
    metric = db.session.scalar(select(ServerMetric).join(Server).where(Server.name == "erp-db-01"))
    assert (metric.cpu_avg, metric.memory_avg, metric.disk_avg, metric.batch_id) == (
        Decimal("42.50"),
        Decimal("61.00"),
        Decimal("70.00"),
        batch.id,
    )
    bad = run_import("servers", csv_file([usage[0], ["erp-db-01", 2026, 4, "101", "", ""]]))
    assert [(e["row"], e["column"]) for e in bad.errors] == [(2, "CPU")]
    undo_batch(batch, None)
    assert db.session.scalar(select(func.count()).select_from(ServerMetric)) == 0
    assert set(db.session.scalars(select(Server.name))) == {"erp-db-01", "mes-app"}


def test_another_tenants_file_is_not_a_duplicate(db, tenant, other_tenant, run_import):
    content = csv_file(KOREAN_COSTS)
    run_import("costs", content)
    batch = run_import("costs", content, tenant_=other_tenant)
    assert batch.status == "DONE" and batch.tenant_id == other_tenant.id


def test_store_upload_refuses_unknown_kind(db, tenant):
    with pytest.raises(FileRefused):
        store_upload(tenant, None, "budgets", "a.csv", io.BytesIO(b"a,b\n1,2\n"))
