"""The monthly cost report with imported credits: its total stays net, with charges, credits, adjustments and tax listed."""

import re

from webapp.i18n import tenant_context
from webapp.reports.collectors import collect
from webapp.reports.pdf import render_html
from webapp.reports.render import render_report

from ..factories import MARCH, add_cost, local
from .helpers import find_row, workbook


def add_bill(tenant):
    """March 2026: a credit, an adjustment, tax and usage of a cloud bill (the `costs` fixture adds 8,500,000 typed in)."""
    for category, amount in (("Credit", "-1000"), ("Adjustment", "200"), ("Tax", "50"), ("Usage", "10000")):
        add_cost(tenant, 2026, 3, "SERVER", "INFRA", amount, charge_category=category)


def charge_lines(html: str) -> dict[str, str]:
    block = re.search(r'<table class="charge-lines".*?</table>', html, re.S)
    return dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td></tr>", block.group(0))) if block else {}


def test_printable_report_lists_credits_in_both_languages(app, tenant, costs):
    add_bill(tenant)
    for language, names in (
        ("ko", ("요금", "크레딧", "조정", "세금", "순합계")),
        ("en", ("Charges", "Credits", "Adjustments", "Tax", "Net total")),
    ):
        with tenant_context(tenant, locale=language):
            html = render_html(collect("monthly_cost", tenant, *MARCH), for_pdf=True)
        assert charge_lines(html) == dict(zip(names, ("₩8,510,000", "-₩1,000", "₩200", "₩50", "₩8,509,250"), strict=True)), (
            language
        )


def test_report_without_credits_has_no_charge_lines(app, tenant, costs):
    with tenant_context(tenant):
        html = render_html(collect("monthly_cost", tenant, *MARCH), for_pdf=True)
    assert "charge-lines" not in html and "₩8,500,000" in html


def test_workbook_summary_lists_credits(tenant, costs):
    add_bill(tenant)
    with tenant_context(tenant):
        built = render_report(tenant, "monthly_cost", *MARCH, "excel", now=local("2026-04-01 12:00"))
    sheet = workbook(built.content).worksheets[0]
    assert find_row(sheet, "IT 비용 합계")[1].value == 8509250
    assert find_row(sheet, "크레딧")[1].value == -1000 and find_row(sheet, "세금")[1].value == 50
    assert find_row(sheet, "요금")[1].value == 8510000 and find_row(sheet, "조정")[1].value == 200
