"""The shared pagination and page-or-fragment helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.models import AuditLog
from webapp.pagination import api_page, api_window, page_headers, page_number, paginate
from webapp.validation import FieldErrors


@pytest.mark.parametrize(
    "raw, expected", [("3", 3), ("", 1), ("0", 1), ("-2", 1), ("x", 1), ("１２", 1), ("99999999999", 1_000_000)]
)
def test_page_number_is_forgiving_for_people(raw, expected):
    assert page_number({"page": raw}) == expected


def test_api_window_reads_page_and_per_page():
    window = api_window({"page": "3", "per_page": "20"})
    assert (window.page, window.per_page, window.offset) == (3, 20, 40)


def test_api_window_keeps_the_old_limit_offset_where_asked():
    window = api_window({"limit": "10", "offset": "25"}, legacy=True)
    assert (window.page, window.per_page, window.offset) == (3, 10, 25)


@pytest.mark.parametrize(
    "args, field",
    [
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "5000"}, "per_page"),
        ({"page": "-1"}, "page"),
        ({"page": "１"}, "page"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_api_window_refuses_bad_values_naming_the_field(args, field):
    with pytest.raises(FieldErrors) as refused:
        api_window(args, legacy=True)
    assert field in refused.value.errors and refused.value.status == 400


def _audit_rows(db, tenant, count):
    for number in range(count):
        db.session.add(AuditLog(tenant_id=tenant.id, action="test", entity="row", entity_id=str(number), details={}))
    db.session.commit()


def test_paginate_past_the_end_shows_the_last_page(app, db, tenant):
    _audit_rows(db, tenant, 30)
    query = select(AuditLog).where(AuditLog.action == "test").order_by(AuditLog.id)
    with app.test_request_context("/?page=9"):
        result = paginate(query, per_page=25)
    assert result.page == 2 and len(result.items) == 5 and result.total == 30


def test_api_page_counts_in_sql_and_slices(app, db, tenant):
    _audit_rows(db, tenant, 30)
    query = select(AuditLog).where(AuditLog.action == "test").order_by(AuditLog.id)
    items, facts = api_page(query, api_window({"page": "2", "per_page": "20"}))
    assert [row.entity_id for row in items] == [str(n) for n in range(20, 30)]
    assert facts == {"page": 2, "per_page": 20, "total": 30, "pages": 2}
    assert page_headers(facts)["X-Total-Count"] == "30"


def test_fragment_for_htmx_page_for_history_restore(bare_app):
    from webapp.htmx import is_fragment

    with bare_app.test_request_context("/", headers={"HX-Request": "true"}):
        bare_app.preprocess_request()
        assert is_fragment()
    with bare_app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        bare_app.preprocess_request()
        assert not is_fragment()
    with bare_app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):  # hx-boost swaps the body
        bare_app.preprocess_request()
        assert not is_fragment()
    with bare_app.test_request_context("/"):
        bare_app.preprocess_request()
        assert not is_fragment()


def test_every_response_varies_on_the_htmx_headers(client):
    response = client.get("/login")
    assert {"HX-Request", "HX-Target"} <= set(response.vary)
