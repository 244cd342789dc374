"""The 보고서 page: form, queued row that polls itself, download link or error, list, download, isolation."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import Report, ServiceRequest, utcnow
from webapp.reports.periods import today_in

from ..factories import add_report

HX = {"HX-Request": "true"}


def generate(client, **fields):
    """Post the report form as htmx does."""
    data = {
        "template": "weekly_ops",
        "period": "custom",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "format": "excel",
    }
    data.update(fields)
    return client.post("/reports/", data=data, headers={**HX, "HX-Target": "report-list"})


def latest(db) -> Report:
    """The newest report."""
    db.session.expire_all()
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


@pytest.mark.parametrize("role", ["admin", "pm", "staff"])
def test_every_role_sees_the_report_page(client, auth, tenant, role):
    auth.login(role)
    page = client.get("/reports/").get_data(as_text=True)
    assert "보고서 생성" in page and "생성된 보고서" in page
    assert 'name="template"' in page and "주간 운영 보고서" in page


def test_the_page_needs_a_sign_in(client, tenant):
    assert client.get("/reports/").status_code == 302


def test_form_shows_the_default_period_and_only_offered_formats(client, auth, tenant):
    auth.login("pm")
    today = today_in("Asia/Seoul")
    page = client.get("/reports/").get_data(as_text=True)
    assert f"({(today - timedelta(days=7)).isoformat()} ~ {today.isoformat()})" in page
    fragment = client.get("/reports/?template=incident_rca", headers={**HX, "HX-Target": "report-form"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and 'id="report-form"' in fragment
    assert re.findall(r'<option[^>]*value="(excel|pdf)"', fragment) == ["pdf"]
    fragment = client.get("/reports/?template=capacity_plan", headers={**HX, "HX-Target": "report-form"}).get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="(excel|pdf)"', fragment) == ["excel"]
    assert f"({today.replace(day=1, month=3 * ((today.month - 1) // 3) + 1).isoformat()} ~ {today.isoformat()})" in fragment


def test_submit_queues_a_row_that_polls_until_the_download_link(client, auth, db, tenant, march):
    auth.login("pm")
    response = generate(client)
    assert response.status_code == 200
    report = latest(db)
    body = response.get_data(as_text=True)
    row = re.search(rf'<tr id="report-{report.id}"[^>]*>', body).group(0)
    assert 'hx-trigger="load delay:1s"' in row and 'hx-swap="outerHTML"' in row and f'hx-get="/reports/{report.id}"' in row
    wait_for_embedded_jobs(timeout=60)
    fragment = client.get(f"/reports/{report.id}", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<tr id="report-{report.id}"') and "hx-trigger" not in fragment
    assert f'href="/reports/{report.id}/download"' in fragment and "완료" in fragment


def test_a_failed_report_shows_its_error(client, auth, db, tenant):
    report = add_report(tenant, "FAILED", fmt="pdf", error="보고서를 만들지 못했습니다: 디스크 가득 참")
    auth.login("pm")
    fragment = client.get(f"/reports/{report.id}", headers=HX).get_data(as_text=True)
    assert "디스크 가득 참" in fragment and "download" not in fragment and "hx-trigger" not in fragment


def test_default_period_is_used_when_chosen(client, auth, db, tenant):
    auth.login("pm")
    generate(client, template="monthly_sla", period="default", period_start="", period_end="", format="pdf")
    today = today_in("Asia/Seoul")
    report = latest(db)
    assert (report.template, report.format, report.period_start, report.period_end) == (
        "monthly_sla",
        "pdf",
        today.replace(day=1),
        today,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"period_start": "2026-03-31", "period_end": "2026-03-01"}, "기간 시작일(2026-03-31)이 종료일(2026-03-01)보다 늦습니다"),
        ({"period_end": ""}, "시작일과 종료일을 모두 입력하세요"),
        ({"template": "incident_rca", "format": "excel"}, "허용되는 값: pdf"),
        ({"template": "nope"}, "알 수 없는 템플릿 'nope'입니다. 허용되는 값: weekly_ops, monthly_sla"),
    ],
)
def test_invalid_requests_re_render_the_form_with_422(client, auth, db, tenant, fields, message):
    auth.login("pm")
    response = generate(client, **fields)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#report-form"
    body = response.get_data(as_text=True)
    assert message in body.replace("&#39;", "'")
    assert 'value="2026-03-01"' in body or fields.get("period_start") in body  # typed values kept
    assert latest(db) is None


def test_without_javascript_the_form_redirects_back_to_the_list(client, auth, db, tenant):
    auth.login("pm")
    response = client.post("/reports/", data={"template": "weekly_ops", "period": "default", "format": "excel"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/")
    assert latest(db).status in ("QUEUED", "RUNNING", "DONE")


def test_list_is_newest_first_and_paginated(client, auth, db, tenant, other_tenant):
    now = utcnow()
    for n in range(25):
        add_report(tenant, "FAILED", error=f"error-{n:02d}", created_at=now - timedelta(minutes=n))
    add_report(other_tenant, "FAILED", error="someone else's")
    auth.login("staff")
    first = client.get("/reports/").get_data(as_text=True)
    errors = re.findall(r"error-(\d\d)", first)
    assert errors == [f"{n:02d}" for n in range(20)]
    second = client.get("/reports/?page=2", headers={**HX, "HX-Target": "report-list"}).get_data(as_text=True)
    assert second.lstrip().startswith('<div id="report-list">')
    assert re.findall(r"error-(\d\d)", second) == ["20", "21", "22", "23", "24"]
    assert "someone else" not in first + second


def _done_report(client, auth, db, template="weekly_ops", fmt="excel", role="pm"):
    auth.login(role)
    generate(client, template=template, format=fmt)
    wait_for_embedded_jobs(timeout=60)
    report = latest(db)
    assert report.status == "DONE", report.error
    return report


def test_download_serves_the_stored_file_with_a_korean_safe_name(client, auth, db, tenant, march):
    report = _done_report(client, auth, db)
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="weekly_ops_2026-03-01_2026-03-31.xlsx"; '
        f"filename*=UTF-8''{quote('주간_운영_보고서_2026-03-01_2026-03-31.xlsx')}"
    )
    assert response.data == report.content and int(response.headers["Content-Length"]) == report.size


def test_downloading_twice_returns_the_same_bytes_after_the_data_changed(client, auth, db, tenant, march):
    report = _done_report(client, auth, db)
    first = client.get(f"/reports/{report.id}/download").data
    for sr in db.session.scalars(select(ServiceRequest)):
        sr.status, sr.resolved_at = "OPEN", None
    db.session.commit()
    second = client.get(f"/reports/{report.id}/download").data
    assert first == second == report.content


def test_staff_can_generate_and_download(client, auth, db, tenant, march):
    report = _done_report(client, auth, db, template="incident_rca", fmt="pdf", role="staff")
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")


def test_another_tenants_report_is_not_found(client, auth, db, tenant, other_tenant):
    foreign = add_report(other_tenant, "DONE", content=b"secret", size=6, content_type="application/octet-stream")
    auth.login("admin")
    assert client.get(f"/reports/{foreign.id}/download").status_code == 404
    assert client.get(f"/reports/{foreign.id}").status_code == 404
    assert client.get(f"/reports/{foreign.id}", headers=HX).status_code == 404


def test_a_report_that_is_not_ready_cannot_be_downloaded(client, auth, db, tenant):
    report = add_report(tenant)
    auth.login("pm")
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 409 and "준비되지 않았습니다" in response.get_data(as_text=True)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page  # without JavaScript the detail page reloads itself


def test_printable_page(client, auth, tenant, march):
    auth.login("staff")
    page = client.get("/reports/print/weekly_ops?start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    assert "에이크미 기관" in page and "2026-03-01 ~ 2026-03-31" in page and "<svg" in page and "data-print" in page
    assert client.get("/reports/print/capacity_plan").status_code == 404  # offered as Excel only
    assert client.get("/reports/print/weekly_ops?start=2026-03-31&end=2026-03-01").status_code == 400
