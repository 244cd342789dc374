"""The SR service checks its own input (FieldErrors) and commits, so pages, imports and the demo share one way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from webapp.models import ServiceRequest, User
from webapp.service_requests.service import change_status, check_status, clean_sr, create_sr, update_sr
from webapp.validation import FieldErrors

FORM = {"title": "메일 장애", "type": "INCIDENT", "priority": "P2", "status": "OPEN", "service": "MAIL", "description": ""}


def _staff(db, tenant):
    return db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "staff"))


def test_clean_sr_turns_local_times_into_utc_and_refuses_a_future_receipt(db, tenant):
    values = clean_sr({**FORM, "assignee": "  ", "created_at": datetime(2026, 3, 2, 9, 0)}, "Asia/Seoul")
    assert values["created_at"].isoformat() == "2026-03-02T00:00:00+00:00" and values["assignee"] is None
    with pytest.raises(FieldErrors) as refused:
        clean_sr({**FORM, "created_at": datetime.now() + timedelta(days=2)}, "Asia/Seoul")
    assert set(refused.value.errors) == {"created_at"}
    with pytest.raises(FieldErrors) as refused:
        clean_sr({**FORM, "resolved_at": datetime(2026, 3, 2, 9, 0)}, "Asia/Seoul")  # not DONE
    assert set(refused.value.errors) == {"resolved_at"}


def test_create_update_and_status_changes_are_committed_by_the_service(db, tenant):
    staff = _staff(db, tenant)
    sr = create_sr(tenant.id, staff, clean_sr(FORM, tenant.timezone))
    db.session.rollback()  # nothing left for a caller to commit
    assert db.session.get(ServiceRequest, sr.id) is not None
    update_sr(sr, staff, clean_sr({**FORM, "title": "메일 장애 (수정)"}, tenant.timezone, sr))
    change_status(sr, staff, "DONE")
    db.session.rollback()
    stored = db.session.get(ServiceRequest, sr.id)
    assert stored.title == "메일 장애 (수정)" and stored.status == "DONE" and stored.resolved_at is not None


def test_an_unknown_status_is_refused_naming_the_field():
    with pytest.raises(FieldErrors) as refused:
        check_status("CLOSED")
    assert "status" in refused.value.errors and "OPEN" in refused.value.errors["status"]
