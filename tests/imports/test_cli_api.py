"""`flask import ...` and /api/imports: exit codes, row errors, summaries, 202 + status URL, other tenants → 404."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from webapp.analytics.totals import rollup_differences
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, CostEntry, ImportBatch, ServiceRequest, User

from ..factories import csv_file
from .test_pipeline import KOREAN_COSTS, SRS


def _write(tmp_path, name, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_cli_imports_lists_and_undoes(runner, db, tenant, tmp_path):
    path = _write(tmp_path, "costs.csv", csv_file(KOREAN_COSTS, "cp949"))
    result = runner.invoke(args=["import", "costs", path, "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    batch_id = db.session.scalar(select(ImportBatch.id))
    assert last == f"batch {batch_id}: imported 3 row(s): 3 new, 0 updated"
    again = runner.invoke(args=["import", "costs", path, "--tenant", "acme"])
    assert again.exit_code == 1 and "--force" in again.output
    listed = runner.invoke(args=["import", "list", "--tenant", "acme"])
    assert listed.exit_code == 0 and "costs.csv" in listed.output and "DONE" in listed.output
    assert runner.invoke(args=["import", "undo", str(batch_id), "--tenant", "other"]).exit_code != 0
    undone = runner.invoke(args=["import", "undo", str(batch_id), "--tenant", "acme"])
    assert undone.exit_code == 0 and "3 row(s) removed" in undone.output
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
    assert rollup_differences(tenant.id) == 0
    check = runner.invoke(args=["costs", "check-totals", "--tenant", "acme"])
    assert check.exit_code == 0, check.output


def test_cli_refused_file_prints_row_and_column(runner, db, tenant, tmp_path):
    rows = [*KOREAN_COSTS, ["abc", "3", "2026", "SERVER", "MES", "", ""]]
    result = runner.invoke(args=["import", "costs", _write(tmp_path, "bad.csv", csv_file(rows)), "--tenant", "acme"])
    assert result.exit_code == 1
    assert "row 5, column 금액: amount: 'abc' is not a number" in result.output
    assert "refused, 1 error(s) in 4 row(s); nothing imported" in result.output.strip().splitlines()[-1]
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
    wrong = runner.invoke(args=["import", "costs", _write(tmp_path, "w.csv", b"a,b\n1,2\n"), "--tenant", "acme"])
    assert wrong.exit_code == 1 and "Wrong columns" in wrong.output


def test_cli_dry_run_stores_nothing(runner, db, tenant, tmp_path):
    path = _write(tmp_path, "srs.csv", csv_file(SRS))
    result = runner.invoke(args=["import", "srs", path, "--tenant", "acme", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "dry run: 2 row(s) checked, no errors; nothing stored"
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    real = runner.invoke(args=["import", "srs", path, "--tenant", "acme"])
    assert real.exit_code == 0 and "2 new" in real.output


def _token(db, username: str, tenant) -> dict:
    user = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))
    _row, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_api_queues_and_reports_status(client, db, tenant, other_tenant):
    headers = _token(db, "pm", tenant)
    data = {"file": (io.BytesIO(csv_file(KOREAN_COSTS)), "costs.csv")}
    response = client.post("/api/imports/costs", data=data, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["status_url"] == f"/api/imports/{body['batch_id']}" and response.headers["Location"] == body["status_url"]
    wait_for_embedded_jobs(timeout=30)
    status = client.get(body["status_url"], headers=headers).get_json()
    assert (status["status"], status["rows"], status["created"], status["percent"]) == ("DONE", 3, 3, 100)
    again = client.post(
        "/api/imports/costs",
        data={"file": (io.BytesIO(csv_file(KOREAN_COSTS)), "costs.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert again.status_code == 409 and again.get_json()["batch_id"] == body["batch_id"]
    foreign = _token(db, "admin", other_tenant)
    assert client.get(body["status_url"], headers=foreign).status_code == 404
    listed = client.get("/api/imports", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["batch_id"]


def test_api_refusals_and_roles(client, db, tenant):
    headers = _token(db, "pm", tenant)
    bad = client.post(
        "/api/imports/costs", data={"file": (io.BytesIO(b""), "e.csv")}, headers=headers, content_type="multipart/form-data"
    )
    assert bad.status_code == 422 and "empty" in bad.get_json()["detail"].lower() or "빈" in bad.get_json()["detail"]
    assert client.post("/api/imports/costs", headers=headers).status_code == 422
    assert client.post("/api/imports/budgets", headers=headers, data={}).status_code == 404
    staff = _token(db, "staff", tenant)
    assert client.get("/api/imports/1", headers=staff).status_code == 403
    assert client.post("/api/imports/costs", headers=staff).status_code == 403
    failed = client.post(
        "/api/imports/srs",
        data={"file": (io.BytesIO(csv_file([SRS[0], ["SR-9", "x", "BUG", "P2", "OPEN", "", "2026-01-01", "", ""]])), "s.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert failed.status_code == 202
    wait_for_embedded_jobs(timeout=30)
    status = client.get(failed.get_json()["status_url"], headers=headers).get_json()
    assert status["status"] == "FAILED" and status["errors"][0]["row"] == 2 and status["errors"][0]["column"] == "유형"


def test_api_and_cli_take_the_focus_options(client, runner, db, tenant, tmp_path):
    from .test_focus import HEADER, RATE, expected_totals, focus_lines, stored_totals

    lines = focus_lines(seed=3)[:60]
    content = csv_file([HEADER, *lines])
    headers = _token(db, "pm", tenant)
    refused = client.post(
        "/api/imports/costs",
        data={"file": (io.BytesIO(content), "focus.csv"), "rate": "-3"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    path = _write(tmp_path, "focus.csv", content)
    result = runner.invoke(args=["import", "costs", path, "--tenant", "acme", "--rate", str(RATE), "--month-from", "charge"])
    assert result.exit_code == 0, result.output
    assert stored_totals(db, tenant.id) == expected_totals(lines, 6, by_charge=True)


def test_cli_dry_run_of_costs_and_a_file_past_the_progress_step(runner, db, tenant, tmp_path):
    rows = [["year", "month", "category", "service", "amount"]] + [
        [2026, 1 + index % 12, "SERVER", "MES", f"{index}.25"] for index in range(6001)
    ]
    path = _write(tmp_path, "many.csv", csv_file(rows))
    dry = runner.invoke(args=["import", "costs", path, "--tenant", "acme", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    real = runner.invoke(args=["import", "costs", path, "--tenant", "acme"])
    assert real.exit_code == 0, real.output
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 6001
    assert db.session.scalar(select(func.sum(CostEntry.amount))) == sum(index + 0.25 for index in range(6001))
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.rows, batch.progress) == (6001, 12002)
    assert rollup_differences(tenant.id) == 0
