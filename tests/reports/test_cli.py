"""`flask reports generate | sweep | purge`."""

from datetime import timedelta

from sqlalchemy import select

from webapp.models import Report, utcnow

from ..factories import add_report


def test_generate_waits_and_writes_the_file(runner, db, tenant, march, tmp_path):
    target = tmp_path / "sla.xlsx"
    result = runner.invoke(
        args=[
            "reports",
            "generate",
            "--tenant",
            "acme",
            "--template",
            "monthly_sla",
            "--start",
            "2026-03-01",
            "--end",
            "2026-03-31",
            "--output",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    report = db.session.scalar(select(Report))
    assert f"report {report.id}: DONE monthly_sla 2026-03-01~2026-03-31 excel" in result.output
    assert target.read_bytes() == report.content


def test_generate_refuses_a_format_the_template_lacks(runner, tenant):
    result = runner.invoke(args=["reports", "generate", "--tenant", "acme", "--template", "capacity_plan", "--format", "pdf"])
    assert result.exit_code != 0 and "excel" in result.output


def test_sweep_and_purge(runner, db, app, tenant):
    now = utcnow()
    add_report(tenant, "RUNNING", fmt="pdf", started_at=now - timedelta(seconds=app.config["JOB_TIMEOUT"] + 120))
    add_report(tenant, "DONE", fmt="pdf", created_at=now - timedelta(days=400))
    assert "failed 1 stuck report(s)" in runner.invoke(args=["reports", "sweep"]).output
    assert "deleted 1 expired report(s)" in runner.invoke(args=["reports", "purge"]).output
    db.session.expire_all()
    assert [r.status for r in db.session.scalars(select(Report))] == ["FAILED"]
