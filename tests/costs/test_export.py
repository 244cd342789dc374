"""CSV and Excel export of the filtered list, read over real HTTP to the last byte, on SQLite and PostgreSQL.

Every download goes through `served` (the app on a loopback port, as in production), so the body
is read after the request has ended: a body that still needs the request's database session fails here.
"""

import csv
import io
import time
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert, text

from webapp.costs.export import CSV_CHUNK_BYTES, category_labels, csv_head, csv_select, postgres_csv_chunks, python_csv_chunks
from webapp.costs.queries import CostFilter, export_rows
from webapp.models import CostEntry, Server

from ..factories import add_cost

BOM = "\ufeff"
HEADER = ["코드", "연도", "월", "분류 코드", "분류", "서비스", "금액", "설명", "부서", "서버", "등록자", "등록 일시"]
KOREAN_LABELS = {  # the labels of SPEC §3.1
    "SERVER": "서버 운영비",
    "NETWORK": "네트워크/통신비",
    "STORAGE": "스토리지 비용",
    "LICENSE": "소프트웨어 라이선스",
    "MAINTENANCE": "유지보수비",
    "PERSONNEL": "인건비",
    "OTHER": "기타",
}


def utc(*args) -> datetime:
    """An aware UTC time."""
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def export_data(db, tenant, other_tenant, factory):
    """January 2025 holds one cost of every category and every kind of awkward text; February one more."""
    author = factory.user(tenant, "@ops", "PM")  # a user name a spreadsheet would run as a formula
    server = Server(tenant_id=tenant.id, name="-db-01", service="ERP", description="")
    db.session.add(server)
    db.session.flush()

    def cost(month, category, service, amount, description, **extra):
        values = {"department": "IT", "created_at": utc(2025, 1, 15, 0, 0), **extra}
        entry = CostEntry(
            tenant_id=tenant.id,
            code=f"COST-20250115-{len(rows):06X}",
            year=2025,
            month=month,
            category=category,
            service=service,
            amount=D(amount),
            description=description,
            **values,
        )
        db.session.add(entry)
        rows.append(entry)

    rows: list[CostEntry] = []
    cost(
        1,
        "SERVER",
        "ERP",
        "1000000",
        '=HYPERLINK("http://x")',
        server_id=server.id,
        created_by_id=author.id,
        created_at=utc(2025, 1, 31, 20, 30),
    )  # 05:30 on 1 February in Seoul
    cost(1, "LICENSE", "MES", "0.10", "+1 라이선스", department="=IT")
    cost(1, "LICENSE", "MES", "0.20", "@SUM(A1)")
    cost(1, "NETWORK", "INFRA", "123.45", '회선, "전용"\n2회선')
    cost(1, "STORAGE", "BACKUP", "0", "\tTAB")
    cost(1, "MAINTENANCE", "GROUPWARE", "5", "\rCR")
    cost(1, "PERSONNEL", "SECURITY", "7", "", department="")
    cost(1, "OTHER", "OTHER", "9999999999999999.99", "평범한 설명")
    cost(2, "SERVER", "ERP", "2000000", "-2월 서버")
    db.session.commit()
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "999", description="다른 기관")
    return rows


def read_csv(answer) -> list[list[str]]:
    """The rows of a CSV download (header first), after checking it starts with the UTF-8 BOM."""
    assert answer.body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(answer.text.removeprefix(BOM), newline="")))


def bulk_costs(db, tenant, count: int, months=(1, 2, 3)) -> None:
    """`count` costs over a few months of 2024, written in one statement."""
    db.session.execute(
        insert(CostEntry),
        [
            {
                "tenant_id": tenant.id,
                "code": f"COST-20240101-{i:06X}",
                "year": 2024,
                "month": months[i % len(months)],
                "category": "SERVER",
                "service": "ERP",
                "amount": D(i % 1000) + D("0.25"),
                "description": f"대량 {i} " + "설명" * 20,
                "department": "IT",
                "created_at": utc(2024, 1, 1, 3, 0),
            }
            for i in range(count)
        ],
    )
    db.session.commit()


# --- CSV -----------------------------------------------------------------------------------


def test_csv_export_of_the_month_over_http(web, export_data):
    answer = web.get("/costs/export.csv?year=2025&month=1")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="costs_2025-01.csv"' in answer.headers["Content-Disposition"]
    rows = read_csv(answer)
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == 8 and "다른 기관" not in answer.text and "-2월 서버" not in answer.text
    assert [row[0] for row in body] == [entry.code for entry in reversed(export_data[:8])]  # newest entry first
    assert sum(D(row[6]) for row in body) == D("9999999999999999.99") + D("1000135.75")


def test_csv_cells_are_neutralised_labelled_and_in_local_time(web, export_data):
    body = read_csv(web.get("/costs/export.csv?year=2025&month=1"))[1:]
    by_code = {row[0]: row for row in body}
    first, licence, tab, cr, empty = (by_code[export_data[i].code] for i in (0, 1, 4, 5, 6))
    assert first == [
        export_data[0].code,
        "2025",
        "1",
        "SERVER",
        "서버 운영비",
        "ERP",
        "1000000.00",
        '\'=HYPERLINK("http://x")',
        "IT",
        "'-db-01",
        "'@ops",
        "2025-02-01 05:30",
    ]
    assert licence[6:9] == ["0.10", "'+1 라이선스", "'=IT"] and licence[9:11] == ["", ""]
    assert licence[11] == "2025-01-15 09:00"
    assert tab[7] == "'\tTAB" and cr[7] == "'\rCR"
    assert empty[7] == "" and empty[8] == ""
    assert by_code[export_data[3].code][7] == '회선, "전용"\n2회선'  # quoted, kept whole
    assert {row[3]: row[4] for row in body} == KOREAN_LABELS


def test_csv_bytes_quote_only_what_needs_it_and_end_rows_with_crlf(web, export_data):
    raw = web.get("/costs/export.csv?year=2025&month=1&category=NETWORK").body
    head = "\ufeff" + ",".join(HEADER) + "\r\n"
    code = export_data[3].code
    expected = f'{code},2025,1,NETWORK,네트워크/통신비,INFRA,123.45,"회선, ""전용""\n2회선",IT,,,2025-01-15 09:00\r\n'
    assert raw == (head + expected).encode("utf-8")


def test_csv_local_time_follows_the_tenant_zone(web, db, tenant, export_data):
    tenant.timezone = "America/New_York"
    db.session.commit()
    body = read_csv(web.get("/costs/export.csv?year=2025&month=1&service=ERP"))[1:]
    assert [row[11] for row in body] == ["2025-01-31 15:30"]


@pytest.mark.parametrize(
    "query, codes",
    [
        ("service=MES", [2, 1]),
        ("category=SERVER", [8, 0]),
        ("year=2025&month=2", [8]),
        ("category=LICENSE&service=ERP", []),
    ],
)
def test_csv_export_follows_every_filter(web, export_data, query, codes):
    rows = read_csv(web.get(f"/costs/export.csv?{query}"))
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == [export_data[i].code for i in codes]


def test_a_large_export_streams_every_row_in_list_order(web, db, tenant):
    bulk_costs(db, tenant, 4500)  # more than one batch of the cursor and many chunks of the body
    answer = web.get("/costs/export.csv?year=2024")
    assert len(answer.body) > 4 * CSV_CHUNK_BYTES
    body = read_csv(answer)[1:]
    assert len(body) == 4500
    assert sum(D(row[6]) for row in body) == sum(D(i % 1000) + D("0.25") for i in range(4500))
    keys = [(int(row[2]), int(row[0][-6:], 16)) for row in body]
    assert keys == sorted(keys, reverse=True)  # newest month first, then newest entry


def test_a_download_cut_short_gives_its_connection_back(app, client, auth, db, tenant):
    bulk_costs(db, tenant, 3000)
    auth.login("pm")
    db.session.commit()
    pool, invalidated = db.engine.pool, []
    event.listen(pool, "invalidate", lambda *args: invalidated.append(args))
    before = pool.checkedout()
    for _ in range(3):
        response = client.get("/costs/export.csv")  # the test client reads the first chunk only
        assert response.status_code == 200
        response.close()  # the browser hung up
    deadline = time.monotonic() + 10
    while pool.checkedout() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.checkedout() == before and invalidated == []  # back in the pool, and in a clean state
    if db.engine.dialect.name == "postgresql":
        busy = db.session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND (state LIKE 'idle in transaction%' OR (query LIKE 'COPY%' AND state = 'active'))"
            )
        ).scalar()
        assert busy == 0
    full = client.get("/costs/export.csv").get_data()
    assert full.count(b"\r\n") == 3001


@pytest.mark.parametrize("path", ["/costs/export.csv?category=FOOD", "/costs/export.xlsx?month=13"])
def test_export_refuses_a_bad_filter_naming_it(web, export_data, path):
    answer = web.get(path)
    assert answer.status == 400
    assert ("category" if "category" in path else "month") in answer.text


@pytest.mark.postgres_only  # COPY is PostgreSQL's: the test is generated for PostgreSQL alone
@pytest.mark.parametrize("zone", ["Asia/Seoul", "America/New_York"])
def test_postgresql_copy_and_the_python_writer_make_the_same_bytes(app, db, web, tenant, export_data, zone):
    tenant.timezone = zone
    db.session.commit()
    for query in ("", "year=2025&month=1", "service=MES", "category=LICENSE", "year=2025&month=2&service=ERP"):
        costs = CostFilter.from_args(dict(pair.split("=") for pair in query.split("&") if pair))
        with app.test_request_context("/"):
            labels, head = category_labels(), csv_head()
            with db.engine.connect() as connection:
                by_python = b"".join(python_csv_chunks(export_rows(tenant.id, costs, connection), zone, labels))
                by_copy = b"".join(postgres_csv_chunks(connection, csv_select(tenant.id, costs, zone, labels)))
        assert by_python.count(b"\r\n") >= 1, query
        assert by_copy == by_python, query
        assert web.get(f"/costs/export.csv?{query}").body == head + by_copy, query


# --- Excel ---------------------------------------------------------------------------------


def test_excel_export_has_styled_header_numbers_labels_and_total(web, export_data):
    answer = web.get("/costs/export.xlsx?service=ERP")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(answer.body)).active
    assert [cell.value for cell in sheet[4]] == HEADER
    corner = sheet["A4"]
    assert corner.fill.fgColor.rgb.endswith("003366") and corner.font.bold and corner.font.color.rgb.endswith("FFFFFF")
    data = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5, max_row=6)]
    assert [row[6] for row in data] == [2000000, 1000000] and all(isinstance(row[6], (int, float)) for row in data)
    assert [row[7] for row in data] == ["'-2월 서버", '\'=HYPERLINK("http://x")']
    assert data[1][4] == "서버 운영비" and data[1][9:11] == ["'-db-01", "'@ops"]
    assert data[1][11] == datetime(2025, 2, 1, 5, 30)  # Seoul time
    total_row = [cell.value for cell in sheet[8]]
    assert total_row[0] == "합계" and total_row[6] == 3000000


def test_a_large_excel_export_has_every_row(web, db, tenant):
    bulk_costs(db, tenant, 2500)
    answer = web.get("/costs/export.xlsx?year=2024")
    assert answer.status == 200
    sheet = load_workbook(io.BytesIO(answer.body), read_only=True).active
    codes = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True) if row and str(row[0]).startswith("COST-")]
    assert len(codes) == 2500 and len(set(codes)) == 2500
