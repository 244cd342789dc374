"""The fast way through a cost file: the quick row check gives exactly what the checks give, and the COPY
into cost_entries (PostgreSQL) stores each value as checked, or nothing when a later row is refused."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from webapp.analytics.totals import rollup_differences
from webapp.imports import kinds
from webapp.imports.kinds import Context, Costs
from webapp.models import CostEntry, CostMonthlyTotal, Server, User
from webapp.validation import checked

from ..factories import csv_file

HEADER = ["연도", "월", "분류", "서비스", "금액", "설명", "부서", "서버"]

texts = st.sampled_from(
    [
        "2026", "12", "0", "13", "１２", "²", " 3 ", "3.0", "-1", "99999", "", "  ",
        "SERVER", "server", " license ", "소프트웨어 라이선스", "라이센스", "HARDWARE", "MES", "erp", "그룹웨어",
        "1,234,567", "₩1,234", "￦900", "1e3", "12.345", "0.5", "00012.10", "9999999999999999.99",
        "10000000000000000", "1,2,3", "-5", "+5", "1 000", "web-01", "WEB-01", "db-9", "정보화팀",
        "a\tb", "a\nb", "back\\slash", "\\N", "ctl\x07", "x" * 1001, "x" * 51,
    ]
)  # fmt: skip
cells = st.one_of(
    st.none(),
    texts,
    st.text(max_size=20),
    st.integers(min_value=-5, max_value=10**17),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)
FIELDS = ("year", "month", "category", "service", "amount", "description", "department", "server")


@pytest.fixture
def cost_context(db, tenant):
    kind = Costs()
    ctx = Context(batch=SimpleNamespace(tenant_id=tenant.id, id=0), zone="Asia/Seoul", user_id=None, options={})
    kind.prepare(ctx)
    ctx.servers = {"web-01": 7}
    return kind, ctx


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({name: cells for name in FIELDS}))
@example({"year": "2026", "month": "3", "category": "SERVER", "service": "MES", "amount": "1,250.5",
          "description": " a\tb\\c ", "department": None, "server": "WEB-01"})  # fmt: skip
def test_quick_check_gives_what_the_checks_give(cost_context, raw):
    kind, ctx = cost_context
    quick = kind.quick(ctx, raw)
    values, errors = checked(kind.checks(ctx, raw))
    if quick is not None:
        assert not errors, (raw, errors)
        assert quick == values
        assert str(quick["amount"]) == str(values["amount"])  # the same digits, not only the same number
        assert all(type(quick[name]) is type(values[name]) for name in values)


def test_quick_check_takes_the_usual_row(cost_context):
    kind, ctx = cost_context
    for amount in ("1250000", "1,250,000", "0.5", "12.30"):
        raw = {"year": "2026", "month": "3", "category": "소프트웨어 라이선스", "service": "erp", "amount": amount,
               "description": "ERP 라이선스", "department": "정보화팀", "server": None}  # fmt: skip
        assert kind.quick(ctx, raw) is not None, amount
    # a refused value always goes to the checks, which name it
    bad = {"year": "2026", "month": "13", "category": "SERVER", "service": "MES", "amount": "5"}
    assert kind.quick(ctx, bad) is None
    assert kind.clean(ctx, bad, 2)[1].keys() == {"month"}


@pytest.fixture
def copy_early(monkeypatch):
    """Start the COPY after a few rows, so a small file goes through it as a million-row file does."""
    monkeypatch.setattr(kinds, "COPY_FIRST", 3)
    monkeypatch.setattr(kinds, "COPY_EVERY", 2)


def test_copied_values_are_stored_as_checked(db, tenant, run_import, copy_early):
    db.session.add(Server(tenant_id=tenant.id, name="web-01", service="MES"))
    db.session.commit()
    server_id = db.session.scalar(select(Server.id).where(Server.tenant_id == tenant.id))
    awkward = ["tab\there", "line\nbreak", "back\\slash", "\\N", '"quoted", comma', "한글 설명", "carriage\r\nreturn"]
    rows = [HEADER] + [
        ["2026", str(1 + index % 12), "SERVER", "MES", f"{1000 + index:,}.5", text, "부서\\1", "WEB-01" if index % 2 else ""]
        for index, text in enumerate(awkward)
    ]
    batch = run_import("costs", csv_file(rows))
    assert batch.status == "DONE", (batch.message, batch.errors)
    stored = db.session.scalars(select(CostEntry).where(CostEntry.batch_id == batch.id).order_by(CostEntry.amount)).all()
    assert [entry.description for entry in stored] == awkward
    assert [entry.amount for entry in stored] == [Decimal(1000 + index) + Decimal("0.5") for index in range(len(awkward))]
    assert {entry.department for entry in stored} == {"부서\\1"}
    assert [entry.server_id for entry in stored] == [server_id if index % 2 else None for index in range(len(awkward))]
    admin = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "admin"))
    assert {(entry.created_by_id, entry.tenant_id) for entry in stored} == {(admin.id, tenant.id)}
    assert len({entry.code for entry in stored}) == len(awkward)
    assert all(entry.created_at is not None and entry.created_at.tzinfo is not None for entry in stored)
    assert rollup_differences(tenant.id) == 0


def test_a_row_refused_after_the_copy_started_leaves_nothing(db, tenant, run_import, copy_early):
    run_import("costs", csv_file([HEADER, ["2026", "1", "SERVER", "MES", "100", "", "", ""]]))
    totals_before = db.session.execute(select(CostMonthlyTotal.month, CostMonthlyTotal.amount)).all()
    good = [["2026", str(1 + index % 12), "NETWORK", "ERP", "10", f"line {index}", "", ""] for index in range(40)]
    rows = [HEADER, *good[:30], ["2026", "1", "NETWORK", "ERP", "-10", "", "", ""], *good[30:]]
    batch = run_import("costs", csv_file(rows))
    assert batch.status == "FAILED"
    assert [(error["row"], error["column"]) for error in batch.errors] == [(32, "금액")]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 1
    assert db.session.execute(select(CostMonthlyTotal.month, CostMonthlyTotal.amount)).all() == totals_before
    assert rollup_differences(tenant.id) == 0
    # and the same file without the bad row goes in whole
    fixed = run_import("costs", csv_file([HEADER, *good]))
    assert (fixed.status, fixed.created_count) == ("DONE", 40)
    assert rollup_differences(tenant.id) == 0
