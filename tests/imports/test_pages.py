"""The import pages: upload, preview, background import, errors, batches, undo (ADMIN), templates, other tenants."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from webapp.models import CostEntry, ImportBatch

from ..factories import csv_file
from .test_pipeline import KOREAN_COSTS


def _upload(client, content: bytes, kind: str = "costs", name: str = "costs.csv", **fields):
    data = {"kind": kind, "file": (io.BytesIO(content), name), **fields}
    return client.post("/imports/", data=data, content_type="multipart/form-data")


def _wait(app):
    from webapp.jobs import wait_for_embedded_jobs

    wait_for_embedded_jobs(timeout=30)


def test_upload_preview_import_and_undo(client, auth, db, tenant, app):
    auth.login("admin")
    page = client.get("/imports/").get_data(as_text=True)
    assert "가져오기" in page and 'href="/imports/"' in page
    response = _upload(client, csv_file(KOREAN_COSTS, "cp949"))
    assert response.status_code == 302
    detail_url = response.headers["Location"]
    preview = client.get(detail_url).get_data(as_text=True)
    assert 'data-testid="mapping"' in preview and "금액" in preview and "소프트웨어 라이선스" in preview
    assert client.post(detail_url + "/start").status_code == 302
    _wait(app)
    done = client.get(detail_url).get_data(as_text=True)
    assert 'data-status="DONE"' in done and 'data-testid="undo"' in done
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 3
    listing = client.get("/imports/").get_data(as_text=True)
    assert "costs.csv" in listing and "admin" in listing
    fragment = client.get(detail_url, headers={"HX-Request": "true", "HX-Target": "batch-status"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("{#") is False and 'id="batch-status"' in fragment and "<html" not in fragment
    assert client.post(detail_url + "/undo").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
    assert 'data-status="UNDONE"' in client.get(detail_url).get_data(as_text=True)


def test_errors_are_listed_and_downloadable(client, auth, db, tenant, app):
    auth.login("pm")
    rows = [*KOREAN_COSTS] + [["x", "3", "2026", "SERVER", "MES", "", ""]] * 150
    detail_url = _upload(client, csv_file(rows)).headers["Location"]
    client.post(detail_url + "/start")
    _wait(app)
    page = client.get(detail_url).get_data(as_text=True)
    assert 'data-status="FAILED"' in page
    assert page.count('<td data-label="행">') == 100
    assert "150" in page
    download = client.get(detail_url + "/errors.csv")
    assert download.status_code == 200
    assert download.get_data().decode("utf-8-sig").count("\n") == 151
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


def test_refused_files_and_the_duplicate_confirmation(client, auth, db, tenant, app):
    auth.login("pm")
    refused = _upload(client, b"", name="empty.csv")
    assert refused.status_code == 422 and 'data-testid="upload-error"' in refused.get_data(as_text=True)
    content = csv_file(KOREAN_COSTS)
    client.post(_upload(client, content).headers["Location"] + "/start")
    _wait(app)
    again = _upload(client, content)
    assert again.status_code == 409 and 'data-testid="confirm-duplicate"' in again.get_data(as_text=True)
    confirmed = _upload(client, content, confirm_duplicate="1")
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 2


def test_pm_cannot_undo_staff_cannot_import(client, auth, db, tenant, app):
    auth.login("pm")
    detail_url = _upload(client, csv_file(KOREAN_COSTS)).headers["Location"]
    client.post(detail_url + "/start")
    _wait(app)
    assert 'data-testid="undo"' not in client.get(detail_url).get_data(as_text=True)
    assert client.post(detail_url + "/undo").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 3
    auth.logout()
    auth.login("staff")
    assert client.get("/imports/").status_code == 403
    assert client.get(detail_url).status_code == 403


def test_another_tenants_batch_is_a_404(client, auth, db, tenant, other_tenant, app):
    auth.login("admin")
    detail_url = _upload(client, csv_file(KOREAN_COSTS)).headers["Location"]
    auth.logout()
    auth.login("admin", tenant="other")
    for path in ("", "/errors.csv"):
        assert client.get(detail_url + path).status_code == 404
    for path in ("/start", "/undo"):
        assert client.post(detail_url + path).status_code == 404


def test_template_files_have_korean_headers_and_one_example(client, auth, tenant):
    auth.login("pm")
    text = client.get("/imports/templates/costs.csv").get_data().decode("utf-8-sig").splitlines()
    assert text[0].startswith("연도,월,분류,서비스,금액") and len(text) == 2
    workbook = load_workbook(io.BytesIO(client.get("/imports/templates/srs.xlsx").get_data()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("코드", "제목", "유형") and len(rows) == 2
    assert client.get("/imports/templates/budgets.csv").status_code == 404
