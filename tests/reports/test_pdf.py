"""Each PDF template: A4, header with institution and period on every page, page numbers, vector charts, Korean font embedded."""

import re

import pytest

from webapp.i18n import tenant_context
from webapp.reports.collectors import collect
from webapp.reports.pdf import render_html
from webapp.reports.render import render_report

from ..factories import MARCH, add_sr, local
from .helpers import pdf_fonts, pdf_info, pdf_pages, weasyprint_warnings

PDF_TEMPLATES = {
    "weekly_ops": ("주간 운영 보고서", ["기간 내 접수", "서비스별", "일별 추이", "70.0%"]),
    "monthly_sla": ("월간 SLA 보고서", ["우선순위별 SLA 준수율", "85.7%", "SLA 위반 목록"]),
    "incident_rca": ("인시던트 분석", ["근본 원인별 인시던트", "반복 패턴", "DB 락 경합"]),
    "monthly_cost": ("월간 IT 비용 보고서", ["₩8,500,000", "106.3%", "유휴 서버", "₩4,125,000", "비용 항목", "idle-01"]),
}


@pytest.fixture
def incidents(tenant):
    """Incidents with root causes for the RCA report."""
    for day in ("03", "12", "20"):
        add_sr(
            tenant,
            f"2026-03-{day} 10:00",
            f"2026-03-{day} 14:00",
            type="INCIDENT",
            priority="P2",
            service="MES",
            root_cause="DB 락 경합",
            title="MES 접속 지연",
        )


@pytest.mark.parametrize("template", list(PDF_TEMPLATES))
def test_pdf_report(tenant, march, incidents, costs, tmp_path, template):
    title, phrases = PDF_TEMPLATES[template]
    with tenant_context(tenant), weasyprint_warnings() as warnings:
        built = render_report(tenant, template, *MARCH, "pdf", now=local("2026-04-01 12:00"))
    assert warnings == []  # a missing glyph (boxes on paper) or broken CSS fails the test
    assert built.content.startswith(b"%PDF-") and built.content_type == "application/pdf"
    assert built.file_name.endswith("_2026-03-01_2026-03-31.pdf")

    info = pdf_info(built.content, tmp_path)
    assert "(A4)" in info["Page size"]
    fonts = pdf_fonts(built.content, tmp_path)
    korean = [line for line in fonts.splitlines() if re.search(r"Nanum|CJK", line)]
    assert korean and all(" yes " in line for line in korean)  # embedded (and subset)

    pages = pdf_pages(built.content)
    assert len(pages) == int(info["Pages"]) >= 1
    for number, text in enumerate(pages, start=1):
        assert tenant.name in text and "2026-03-01 ~ 2026-03-31" in text  # running header
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\s*$", text.strip())  # page number at the foot
    whole = "\n".join(pages)
    assert title in whole
    for phrase in phrases:
        assert phrase in whole


@pytest.mark.parametrize("template", list(PDF_TEMPLATES))
def test_printable_page_is_the_pdf_html_with_svg_charts(app, tenant, march, incidents, costs, template):
    with tenant_context(tenant):
        data = collect(template, tenant, *MARCH)
        for_pdf = render_html(data, for_pdf=True)
        with app.test_request_context("/reports/print/" + template):  # browsers get it from a request (static URLs)
            for_browser = render_html(data, for_pdf=False, back_url="/reports/")
    assert "<svg" in for_pdf and 'role="img"' in for_pdf
    assert "size: A4" in for_pdf and "counter(pages)" in for_pdf
    assert for_browser.replace("\n", "").count("<svg") == for_pdf.replace("\n", "").count("<svg")
    # The browser page loads its CSS and print button script as files (the CSP allows nothing inline); the PDF inlines the CSS.
    assert "js/print.js" in for_browser and "data-print" in for_browser and "<style" not in for_browser
    assert "css/report-print.css" in for_browser and "css/report-print.css" not in for_pdf
    assert "<script" not in for_pdf and "data-print" not in for_pdf


def test_user_text_is_escaped_in_the_pdf_html(tenant):
    add_sr(tenant, "2026-03-03 10:00", type="INCIDENT", root_cause="<script>alert(1)</script>", title="<b>굵게</b>")
    with tenant_context(tenant):
        html = render_html(collect("incident_rca", tenant, *MARCH), for_pdf=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_pdf_rendering_refuses_to_run_inside_a_web_request(app, tenant):
    from webapp.reports.pdf import render_pdf

    with app.test_request_context("/reports/"), tenant_context(tenant):
        data = collect("weekly_ops", tenant, *MARCH)
        with pytest.raises(RuntimeError, match="never inside a web request"):
            render_pdf(data)
