"""Budgets page: ADMIN sets budgets per month and service; everyone with cost access sees budget vs actual."""

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from webapp.models import AuditLog, Budget

from ..factories import add_budget, add_cost

HX = {"HX-Request": "true"}


def budgets(db):
    return {(b.year, b.month, b.service): b.amount for b in db.session.scalars(select(Budget))}


def test_admin_sets_a_budget_and_updates_it(client, auth, tenant, db):
    auth.login("admin")
    response = client.post("/budgets/", data={"year": "2025", "month": "6", "service": "ALL", "amount": "50,000,000"})
    assert response.status_code == 302 and "month=6" in response.headers["Location"]
    client.post("/budgets/", data={"year": "2025", "month": "6", "service": "ALL", "amount": "55000000"})
    assert budgets(db) == {(2025, 6, "ALL"): D("55000000.00")}
    actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "budget")))
    assert actions == ["create", "update"]


def test_service_budget_never_overwrites_the_all_budget(client, auth, tenant, db):
    auth.login("admin")
    client.post("/budgets/", data={"year": "2025", "month": "6", "service": "ALL", "amount": "50000000"})
    client.post("/budgets/", data={"year": "2025", "month": "6", "service": "ERP", "amount": "10000000"})
    client.post("/budgets/", data={"year": "2025", "month": "7", "service": "ERP", "amount": "12000000"})
    assert budgets(db) == {
        (2025, 6, "ALL"): D("50000000.00"),
        (2025, 6, "ERP"): D("10000000.00"),
        (2025, 7, "ERP"): D("12000000.00"),
    }


@pytest.mark.parametrize("username", ["pm", "staff"])
def test_only_admin_can_set_budgets(client, auth, tenant, db, username):
    auth.login(username)
    response = client.post("/budgets/", data={"year": "2025", "month": "6", "service": "ALL", "amount": "1"})
    assert response.status_code == 403 and budgets(db) == {}


def test_pm_sees_budget_vs_actual_without_the_form(client, auth, tenant):
    add_budget(tenant, 2025, 6, "1000000")
    add_budget(tenant, 2025, 6, "500000", service="ERP")
    add_cost(tenant, 2025, 6, "SERVER", "ERP", "560000")
    auth.login("pm")
    page = client.get("/budgets/?year=2025&month=6").get_data(as_text=True)
    assert 'id="budget-form"' not in page and "관리자만" in page
    assert 'data-status="OVER"' in page and "112.0%" in page and "₩560,000" in page
    assert 'data-status="OK"' in page and "56.0%" in page
    assert page.count('data-status="NO_BUDGET"') == 6


def test_staff_cannot_see_budgets(client, auth, tenant):
    auth.login("staff")
    assert client.get("/budgets/").status_code == 403


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"amount": "-1"}, "amount", "0 이상"),
        ({"amount": "abc"}, "amount", "숫자가 아닙니다"),
        ({"amount": ""}, "amount", "필수 항목"),
        ({"month": "13"}, "month", "1부터 12 사이"),
        ({"month": "0"}, "month", "1부터 12 사이"),
        ({"service": "PAYROLL"}, "service", "전체 서비스(기관 합계), MES, ERP"),  # the choice labels
        ({"year": ""}, "year", "필수 항목"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_bad_budget_input_is_refused_and_nothing_stored(client, auth, tenant, db, change, field, message, headers):
    auth.login("admin")
    data = {"year": "2025", "month": "6", "service": "ALL", "amount": "1000", **change}
    response = client.post("/budgets/", data=data, headers=headers)
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422 and f'id="{field}-error"' in body and message in body
    assert ("<html" in body) is (not headers)
    assert budgets(db) == {}


def test_htmx_save_returns_the_form_and_refreshes_the_table(client, auth, tenant, db):
    auth.login("admin")
    response = client.post("/budgets/", data={"year": "2025", "month": "6", "service": "MES", "amount": "7000000"}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "budgets-changed"
    assert "<html" not in response.get_data(as_text=True)
    table = client.get("/budgets/?year=2025&month=6", headers=HX).get_data(as_text=True)
    assert "<html" not in table and 'id="budget-table"' in table and "₩7,000,000" in table


def test_set_link_prefills_the_scope_with_its_amount(client, auth, tenant):
    add_budget(tenant, 2025, 6, "1234000", service="BACKUP")
    auth.login("admin")
    page = client.get("/budgets/?year=2025&month=6&service=BACKUP").get_data(as_text=True)
    assert 'value="1234000"' in page and '<option selected value="BACKUP">' in page.replace(
        'value="BACKUP" selected', 'selected value="BACKUP"'
    )


def test_admin_removes_a_budget(client, auth, tenant, db):
    budget = add_budget(tenant, 2025, 6, "1000")
    auth.login("admin")
    response = client.post(f"/budgets/{budget.id}/delete")
    assert response.status_code == 302 and budgets(db) == {}
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.entity == "budget")) == "delete"


def test_removing_another_tenants_budget_is_404(client, auth, tenant, other_tenant, db):
    foreign = add_budget(other_tenant, 2025, 6, "1000")
    auth.login("admin")
    assert client.post(f"/budgets/{foreign.id}/delete").status_code == 404
    assert budgets(db) == {(2025, 6, "ALL"): D("1000.00")}


def test_pm_cannot_remove_budgets(client, auth, tenant, db):
    budget = add_budget(tenant, 2025, 6, "1000")
    auth.login("pm")
    assert client.post(f"/budgets/{budget.id}/delete").status_code == 403 and len(budgets(db)) == 1


def test_bad_month_in_the_address_is_reported(client, auth, tenant):
    auth.login("pm")
    response = client.get("/budgets/?month=13")
    assert response.status_code == 422 and "1부터 12 사이" in response.get_data(as_text=True)
