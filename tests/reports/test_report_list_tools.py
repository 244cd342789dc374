"""The report list (issue 12 §3): filters, recipients, a details view with size and SHA-256, and ADMIN delete."""

import hashlib

from sqlalchemy import select

from webapp.extensions import db as _db
from webapp.models import AuditLog, Report
from webapp.models.schedules import EmailDelivery

from ..factories import add_report

HX = {"HX-Request": "true"}


def done_report(tenant, template="weekly_ops", content=b"PK report bytes", **fields):
    return add_report(
        tenant,
        "DONE",
        template=template,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=f"{template}_2026-03-01_2026-03-31.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        **fields,
    )


def rows_of(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('<tr id="report-')[1:]]


def test_filter_by_template_and_status(client, auth, tenant):
    weekly = done_report(tenant)
    sla = done_report(tenant, "monthly_sla")
    failed = add_report(tenant, "FAILED", template="monthly_sla", error="boom")
    auth.login("pm")
    assert set(rows_of(client.get("/reports/").get_data(as_text=True))) == {str(weekly.id), str(sla.id), str(failed.id)}
    page = client.get("/reports/?list_template=monthly_sla").get_data(as_text=True)
    assert set(rows_of(page)) == {str(sla.id), str(failed.id)}
    assert '<option value="monthly_sla" selected>' in page
    fragment = client.get("/reports/?list_template=monthly_sla&list_status=FAILED", headers={**HX, "HX-Target": "report-list"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-list">') and rows_of(html) == [str(failed.id)]
    assert "조건에 맞는 보고서가 없습니다" in client.get("/reports/?list_status=RUNNING").get_data(as_text=True)
    # unknown values mean "all"; a template the role may not read is not a way in
    assert len(rows_of(client.get("/reports/?list_status=NOPE&list_template=x").get_data(as_text=True))) == 3


def test_staff_cannot_filter_into_cost_reports(client, auth, tenant):
    done_report(tenant, "monthly_cost")
    auth.login("staff")
    assert rows_of(client.get("/reports/?list_template=monthly_cost").get_data(as_text=True)) == []


def test_list_and_details_show_recipients_size_and_sha256(client, auth, tenant):
    report = done_report(tenant)
    for address, status in (("cio@example.kr", "SENT"), ("ops@example.kr", "FAILED")):
        _db.session.add(EmailDelivery(tenant_id=tenant.id, report_id=report.id, kind="LINK", recipient=address, status=status))
    _db.session.add(EmailDelivery(tenant_id=tenant.id, report_id=report.id, kind="NOTICE", recipient="owner@example.kr"))
    _db.session.commit()
    auth.login("staff")
    page = client.get("/reports/").get_data(as_text=True)
    assert "메일 수신자: cio@example.kr, ops@example.kr" in page and "owner@example.kr" not in page
    detail = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert hashlib.sha256(b"PK report bytes").hexdigest() in detail
    assert "(15 바이트)" in detail and "cio@example.kr" in detail
    assert 'ops@example.kr <span class="muted">(실패)</span>' in detail
    assert 'data-testid="delete"' not in detail  # STAFF cannot delete


def test_failed_report_offers_retry(client, auth, tenant):
    failed = add_report(tenant, "FAILED", error="boom")
    auth.login("pm")
    page = client.get("/reports/").get_data(as_text=True)
    assert f'action="/reports/{failed.id}/retry"' in page


def test_admin_deletes_with_confirmation_and_audit(client, auth, tenant, db):
    report = done_report(tenant)
    db.session.add(EmailDelivery(tenant_id=tenant.id, report_id=report.id, kind="LINK", recipient="cio@example.kr"))
    db.session.commit()
    report_id, sha256 = report.id, report.sha256
    for role in ("pm", "staff"):
        auth.login(role)
        assert client.get(f"/reports/{report_id}/delete").status_code == 403
        assert client.post(f"/reports/{report_id}/delete", data={"confirm": "yes"}).status_code == 403
        auth.logout()
    auth.login("admin")
    assert 'data-testid="delete"' in client.get(f"/reports/{report_id}").get_data(as_text=True)
    confirm = client.get(f"/reports/{report_id}/delete")
    assert confirm.status_code == 200 and "보고서를 삭제할까요?" in confirm.get_data(as_text=True)
    unconfirmed = client.post(f"/reports/{report_id}/delete", data={})
    assert unconfirmed.status_code == 422 and "확인란을 선택하세요" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Report, report_id) is not None
    response = client.post(f"/reports/{report_id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report_id) is None  # the row held the file: it is gone with it
    assert db.session.scalars(select(EmailDelivery).where(EmailDelivery.report_id == report_id)).all() == []
    entry = db.session.scalar(select(AuditLog).where(AuditLog.entity == "report", AuditLog.action == "delete"))
    assert entry.entity_id == str(report_id) and entry.details["sha256"] == sha256 and entry.details["size"] == 15
    assert "보고서를 삭제했습니다" in client.get("/reports/").get_data(as_text=True)
    assert client.get(f"/reports/{report_id}/download").status_code == 404


def test_delete_is_per_tenant(client, auth, tenant, factory):
    other = factory.tenant("other", "다른 기관")
    foreign = done_report(other)
    auth.login("admin")
    assert client.post(f"/reports/{foreign.id}/delete", data={"confirm": "yes"}).status_code == 404
