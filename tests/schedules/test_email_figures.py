"""The report e-mail carries the report's key figures in its body, in HTML and in plain text, equal to the file's."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import func, select

from webapp.demo import seed_demo
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import CostEntry, Report

from ..reports.helpers import workbook
from .conftest import outbox

SR_LABELS = ("SRs created in the period", "SRs resolved in the period", "SRs open now", "Completion rate", "MTTR (hours)")
SR_LABELS_KO = ("기간 내 접수", "기간 내 완료", "현재 미결", "처리율", "MTTR(시간)")


def sign_in(client, username: str) -> None:
    response = client.post("/login", data={"tenant": "demo", "username": username, "password": f"demo-{username}-1234"})
    assert response.status_code == 302


def generate_and_mail(client, template: str, **extra) -> Report:
    response = client.post(
        "/reports/",
        data={
            "template": template,
            "period": "default",
            "format": "excel",
            "send_email": "y",
            "email": "boss@example.kr",
            **extra,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    wait_for_embedded_jobs(60)
    from webapp.extensions import db

    return db.session.scalar(select(Report).order_by(Report.id.desc()))


def figures_in_text(body: str) -> dict[str, str]:
    """ "- label: value" lines of the plain-text part."""
    return dict(re.findall(r"^- (.+?): (.+)$", body, flags=re.MULTILINE))


def figures_in_html(html: str) -> dict[str, str]:
    table = re.search(r"<table[^>]*data-figures>(.*?)</table>", html, flags=re.S).group(1)
    return dict(re.findall(r"<td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>", table))


def summary_sheet(report: Report) -> dict[str, object]:
    """Label → value of the workbook's first sheet (its summary)."""
    sheet = workbook(report.content).worksheets[0]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], str) and len(row) > 1}


def test_an_sr_report_mail_shows_the_five_figures_of_the_file(app, client, db):
    seed_demo(echo=lambda *_: None)
    sign_in(client, "pm")
    report = generate_and_mail(client, "weekly_ops")
    assert report.status == "DONE"
    message = outbox(app)[-1]
    text = figures_in_text(message.body)
    html = figures_in_html(message.alternatives[0][0])
    sheet = summary_sheet(report)
    summary = report.data_summary
    expected = [
        str(summary["sr_total"]),
        str(summary["sr_done"]),
        str(summary["sr_open"]),
        f"{Decimal(str(summary['completion_rate'])):.1f}%",
        f"{Decimal(str(summary['mttr_hours'])):.1f}",
    ]
    for label, value in zip(SR_LABELS_KO, expected, strict=True):
        assert text[label] == value, label
        assert html[label] == value, label
    # the same figures as the file's summary sheet
    assert int(text["기간 내 접수"]) == sheet["기간 내 접수"]
    assert int(text["기간 내 완료"]) == sheet["기간 내 완료"]
    assert int(text["현재 미결"]) == sheet["현재 미결"]
    assert summary["sr_total"] > 0 and summary["sr_done"] > 0  # the demo's SRs, not an empty period


def test_the_cost_report_mail_shows_the_months_total_change_and_budget(app, client, db):
    seed_demo(echo=lambda *_: None)
    sign_in(client, "pm")
    report = generate_and_mail(client, "monthly_cost")
    assert report.status == "DONE"
    summary = report.data_summary
    year, month = summary["year"], summary["month"]
    total = db.session.scalar(
        select(func.sum(CostEntry.amount)).where(
            CostEntry.tenant_id == report.tenant_id, CostEntry.year == year, CostEntry.month == month
        )
    )
    message = outbox(app)[-1]
    text = figures_in_text(message.body)
    html = figures_in_html(message.alternatives[0][0])
    assert text["이달 비용 합계"] == f"₩{Decimal(total):,.0f}" == html["이달 비용 합계"]
    change = Decimal(str(summary["mom_change_pct"]))
    assert text["전월 대비 증감"] == f"{'+' if change > 0 else ''}{change:.1f}%"
    assert text["예산 상태"].startswith(("정상", "주의", "예산 초과", "예산 없음"))
    assert f"{Decimal(str(summary['budget_usage_pct'])):.1f}%" in text["예산 상태"]
    assert "기간 내 접수" not in text  # the cost report's mail is about the money


def test_in_english_the_labels_follow_the_tenant_language(app, client, db):
    tenant = seed_demo(echo=lambda *_: None)
    tenant.locale = "en"
    db.session.commit()
    sign_in(client, "pm")
    generate_and_mail(client, "weekly_ops")
    text = figures_in_text(outbox(app)[-1].body)
    assert set(SR_LABELS) <= set(text)
