"""A long period groups its trend per week (> 62 days) or per month (> 1 year); the daily rows stay as detail."""

import re
from datetime import date

import pytest

from webapp.i18n import tenant_context
from webapp.reports import metrics
from webapp.reports.collectors import collect
from webapp.reports.pdf import render_html
from webapp.reports.render import render_report

from ..factories import add_sr, local
from .helpers import workbook


@pytest.mark.parametrize(
    ("start", "end", "grain"),
    [
        (date(2026, 1, 1), date(2026, 3, 3), "day"),  # 62 days
        (date(2026, 1, 1), date(2026, 3, 4), "week"),  # 63 days
        (date(2025, 1, 1), date(2026, 1, 1), "week"),  # 366 days
        (date(2025, 1, 1), date(2026, 1, 2), "month"),  # 367 days
    ],
)
def test_trend_grain_edges(start, end, grain):
    assert metrics.trend_grain(start, end) == grain


def test_group_trend_by_week_and_month():
    daily = [{"day": date(2026, 1, d), "created": d, "resolved": 1} for d in range(1, 32)]  # Thu 1 Jan … Sat 31 Jan
    weeks = metrics.group_trend(daily, "week")
    assert weeks[0] == {"start": date(2026, 1, 1), "end": date(2026, 1, 4), "created": 1 + 2 + 3 + 4, "resolved": 4}
    assert weeks[1]["start"] == date(2026, 1, 5) and weeks[1]["end"] == date(2026, 1, 11)  # Monday to Sunday
    assert weeks[-1] == {"start": date(2026, 1, 26), "end": date(2026, 1, 31), "created": sum(range(26, 32)), "resolved": 6}
    assert sum(w["created"] for w in weeks) == sum(range(1, 32))
    months = metrics.group_trend(daily, "month")
    assert months == [{"start": date(2026, 1, 1), "end": date(2026, 1, 31), "created": sum(range(1, 32)), "resolved": 31}]


@pytest.fixture
def year_of_srs(tenant):
    for month in range(1, 13):
        add_sr(tenant, f"2025-{month:02d}-10 10:00", f"2025-{month:02d}-11 10:00")
    add_sr(tenant, "2026-01-02 10:00")


def test_a_long_weekly_ops_report_groups_its_trend(app, tenant, year_of_srs):
    start, end = date(2025, 1, 1), date(2026, 1, 2)  # 367 days: per month
    with tenant_context(tenant):
        data = collect("weekly_ops", tenant, start, end, now=local("2026-01-03 12:00"))
        chart = str(data.template.figures(data)["daily"])
        with app.test_request_context("/reports/print/weekly_ops"):
            page = render_html(data, for_pdf=False, back_url="/reports/")
        built = render_report(tenant, "weekly_ops", start, end, "excel", now=local("2026-01-03 12:00"))
    assert data.sections["trend_grain"] == "month" and len(data.sections["trend"]) == 13
    assert len(data.sections["daily"]) == 367
    assert "2025-01" in chart and "월별 요청 건수" in chart
    assert 'data-testid="grouped-trend">월별 추이' in page and 'data-testid="daily-detail">일별 상세' in page
    assert len(re.findall(r'<tr><td>2025-03-\d\d</td><td class="num">', page)) == 31  # the daily detail keeps every day
    book = workbook(built.content)
    assert book.sheetnames == ["요약", "서비스별", "월별 추이", "일별 추이", "SR 목록"]
    rows = list(book["월별 추이"].iter_rows(min_row=7, values_only=True))
    assert len(rows) == 13 and rows[0][2:] == (1, 1) and rows[-1][2:] == (1, 0)
    assert len(book["월별 추이"]._charts) == 1 and len(book["일별 추이"]._charts) == 0
    assert book["일별 추이"].max_row == 6 + 367


def test_a_quarter_groups_by_week(app, tenant, year_of_srs):
    with tenant_context(tenant):
        data = collect("weekly_ops", tenant, date(2025, 1, 1), date(2025, 3, 31))
    assert data.sections["trend_grain"] == "week" and data.sections["trend"][0]["end"] == date(2025, 1, 5)
