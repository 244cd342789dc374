"""Reports people can hand on (issue 12 §3): figures that explain themselves."""

from decimal import Decimal

import pytest

from webapp.i18n import tenant_context
from webapp.reports import metrics
from webapp.reports.collectors import collect
from webapp.reports.pdf import render_html
from webapp.reports.render import render_report

from ..factories import MARCH, add_sr, local
from .helpers import find_row, workbook

NOW = local("2026-04-01 12:00")


def html_of(app, tenant, template, start=MARCH[0], end=MARCH[1]):
    """The printable page of a template for a period."""
    with tenant_context(tenant):
        data = collect(template, tenant, start, end, now=NOW)
        with app.test_request_context("/reports/print/" + template):
            return render_html(data, for_pdf=False, back_url="/reports/")


def excel_of(tenant, template, start=MARCH[0], end=MARCH[1]):
    with tenant_context(tenant):
        return workbook(render_report(tenant, template, start, end, "excel", now=NOW).content)


# --- SLA compliance of a priority with nothing resolved -------------------------------------------


def test_priority_without_srs_shows_a_dash_not_a_zero_bar(app, tenant, march):
    """P4 has nothing resolved in March: "—" in the chart (no bar), the table and the workbook."""
    with tenant_context(tenant):
        data = collect("monthly_sla", tenant, *MARCH, now=NOW)
        chart = str(data.template.figures(data)["compliance"])
    assert "0.0%" in chart  # P2: one resolved, late — a real 0 %
    assert chart.count("—") == 1  # P4
    page = html_of(app, tenant, "monthly_sla")
    p4_row = page.split("<td>P4")[1].split("</tr>")[0]
    assert "—" in p4_row and "0.0%" not in p4_row

    sla = excel_of(tenant, "monthly_sla")["우선순위별 SLA"]
    p4 = [c.value for c in find_row(sla, "P4")]
    assert p4[2] == 0 and p4[5] == "—" and p4[6] == "—"
    assert find_row(sla, "P2")[5].value == 0  # a real 0 % stays a number


def test_sla_with_nothing_resolved_at_all(tenant):
    add_sr(tenant, "2026-03-05 10:00", priority="P1")  # open only
    book = excel_of(tenant, "monthly_sla")
    assert find_row(book["요약"], "SLA 준수율")[1].value == "—"
    assert find_row(book["우선순위별 SLA"], "합계")[5].value == "—"


# --- completion rate above 100 % ------------------------------------------------------------------


@pytest.fixture
def carried_over(tenant):
    """March: one SR created and resolved; three created in February and resolved in March → 400 %."""
    add_sr(tenant, "2026-03-03 10:00", "2026-03-03 12:00")
    for day in ("10", "20", "27"):
        add_sr(tenant, f"2026-02-{day} 10:00", "2026-03-02 10:00")


def test_resolved_created_in_period_is_counted(tenant, carried_over, march):
    window = metrics.window_for(tenant, *MARCH)
    # march: A B C resolved and created in March, D created in February; plus the carried_over four.
    assert metrics.resolved_created_in_period(window) == 3 + 1
    assert metrics.sr_summary(window)["resolved"] == 8


def test_completion_above_100_explains_itself(app, tenant, carried_over):
    with tenant_context(tenant):
        data = collect("weekly_ops", tenant, *MARCH, now=NOW)
    assert data.summary["completion_rate"] == Decimal("400.0") and data.resolved_created == 1
    for template in ("weekly_ops", "monthly_sla", "incident_rca"):
        page = html_of(app, tenant, template)
        assert "완료 4건 중 1건이 기간 내 접수" in page, template
    book = excel_of(tenant, "weekly_ops")
    assert find_row(book["요약"], "완료 중 기간 내 접수")[1].value == 1
    assert find_row(book["요약"], "처리율")[1].value == Decimal("4")


def test_completion_under_100_has_no_note(app, tenant, march):
    assert 'data-testid="resolved-created"' not in html_of(app, tenant, "weekly_ops")
    assert find_row(excel_of(tenant, "monthly_sla")["요약"], "완료 중 기간 내 접수")[1].value == 3
