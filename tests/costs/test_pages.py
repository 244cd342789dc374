"""The costs page: filter, totals, add with validation, edit in place, delete, roles and tenant isolation."""

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from webapp.models import AuditLog, CostEntry

from ..factories import add_cost

HX = {"HX-Request": "true"}
GOOD = {
    "year": "2025",
    "month": "3",
    "category": "LICENSE",
    "service": "ERP",
    "amount": "1,234,567",
    "description": "ERP 라이선스 갱신",
    "department": "IT",
}


def count(db, tenant=None) -> int:
    query = select(func.count()).select_from(CostEntry)
    if tenant is not None:
        query = query.where(CostEntry.tenant_id == tenant.id)
    return db.session.scalar(query)


def audit_actions(db, entity="cost") -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == entity).order_by(AuditLog.id)))


@pytest.fixture
def costs(tenant, other_tenant):
    """Costs in two months of acme, plus another tenant's costs that must never show."""
    rows = [
        add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000000", description="ERP 서버"),
        add_cost(tenant, 2025, 1, "LICENSE", "MES", "250000.50", description="MES 라이선스"),
        add_cost(tenant, 2025, 2, "SERVER", "ERP", "2000000", description="ERP 서버 2월"),
    ]
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "77777777", description="다른 기관 비용")
    return rows


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/costs/"),
        ("post", "/costs/"),
        ("get", "/costs/export.csv"),
        ("get", "/costs/export.xlsx"),
        ("get", "/costs/totals"),
    ],
)
def test_staff_cannot_see_or_change_costs(client, auth, costs, db, method, path):
    auth.login("staff")
    response = getattr(client, method)(path, data=GOOD if method == "post" else None)
    assert response.status_code == 403
    assert count(db) == 4


@pytest.mark.parametrize(
    "suffix, method", [("", "get"), ("/edit", "get"), ("/edit", "post"), ("/delete", "get"), ("/delete", "post")]
)
def test_staff_gets_403_on_cost_routes_with_an_id(client, auth, costs, suffix, method):
    auth.login("staff")
    assert getattr(client, method)(f"/costs/{costs[0].id}{suffix}").status_code == 403


@pytest.mark.parametrize("username", ["pm", "admin"])
def test_pm_and_admin_see_costs(client, auth, costs, username):
    auth.login(username)
    assert client.get("/costs/").status_code == 200


# --- list, filter, totals ------------------------------------------------------------------


def test_list_shows_only_own_costs_with_won_amounts_and_total(client, auth, costs):
    auth.login("pm")
    page = client.get("/costs/").get_data(as_text=True)
    assert "₩1,000,000" in page and "₩250,000" in page and "₩2,000,000" in page
    assert "다른 기관 비용" not in page and "77,777,777" not in page
    assert "3건" in page and "₩3,250,000" in page  # 3,250,000.50 shown in whole won


@pytest.mark.parametrize(
    "query, shown, hidden, total",
    [
        ("year=2025&month=1", ["ERP 서버", "MES 라이선스"], ["ERP 서버 2월"], "₩1,250,000"),
        ("service=ERP", ["ERP 서버", "ERP 서버 2월"], ["MES 라이선스"], "₩3,000,000"),
        ("category=LICENSE", ["MES 라이선스"], ["ERP 서버"], "₩250,000"),
        ("year=2025&month=2&service=MES", [], ["ERP 서버", "MES 라이선스"], "₩0"),
    ],
)
def test_filter_refreshes_the_table_fragment_without_layout(client, auth, costs, query, shown, hidden, total):
    auth.login("pm")
    response = client.get(f"/costs/?{query}", headers=HX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment and "<nav" not in fragment and 'id="cost-table"' in fragment
    for text in shown:
        assert text in fragment
    for text in hidden:
        assert f">{text}<" not in fragment and f">{text} " not in fragment
    assert f'data-testid="filtered-total">{total}<' in fragment
    # the table keeps the filter in its own refresh URL and in the export links
    assert query.split("&")[0] in fragment.replace("&amp;", "&")


def test_full_page_works_without_javascript(client, auth, costs):
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=1").get_data(as_text=True)
    assert "<html" in page and 'method="get" action="/costs/"' in page
    assert 'method="post" action="/costs/' in page
    assert f'href="/costs/{costs[0].id}/edit"' in page and f'href="/costs/{costs[0].id}/delete"' in page
    assert '<option value="1" selected>' in page  # the month filter stays chosen
    assert "Vary" in client.get("/costs/").headers and "HX-Request" in client.get("/costs/").headers["Vary"]


def test_bad_filter_is_reported_not_applied(client, auth, costs):
    auth.login("pm")
    response = client.get("/costs/?month=13")
    assert response.status_code == 422
    assert "month(월): 1부터 12 사이의 숫자여야 합니다." in response.get_data(as_text=True)


def test_pagination_keeps_the_filter(client, auth, tenant, db):
    for i in range(30):
        add_cost(tenant, 2024, 5, "OTHER", "OTHER", str(1000 + i), description=f"항목{i:02d}", commit=False)
    add_cost(tenant, 2024, 6, "OTHER", "OTHER", "5", description="다른 달")
    auth.login("pm")
    first = client.get("/costs/?year=2024&month=5").get_data(as_text=True)
    assert "30건" in first and "2쪽 중 1쪽" in first
    assert "page=2" in first and "month=5" in first
    second = client.get("/costs/?year=2024&month=5&page=2", headers=HX).get_data(as_text=True)
    assert second.count('<tr id="cost-') == 5 and "다른 달" not in second


# --- add -----------------------------------------------------------------------------------


def test_add_stores_the_cost_and_audits_it(client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/costs/", data=GOOD)
    assert response.status_code == 302 and "year=2025" in response.headers["Location"]
    entry = db.session.scalar(select(CostEntry))
    assert (entry.amount, entry.category, entry.service, entry.tenant_id) == (D("1234567.00"), "LICENSE", "ERP", tenant.id)
    assert entry.code.startswith("COST-") and len(entry.code) == len("COST-20250101-ABCDEF")
    assert entry.created_by.username == "pm"
    assert audit_actions(db) == ["create"]


def test_add_with_htmx_returns_a_fresh_form_and_refreshes_the_table(client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/costs/", data=GOOD, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "costs-changed"
    assert "<html" not in body and 'id="cost-form"' in body and "추가했습니다" in body
    assert 'value="1,234,567"' not in body  # the form is empty again
    assert count(db) == 1


BAD_INPUT = [
    ({"category": "FOOD"}, "category", "분류: 'FOOD'은(는) 알 수 없는 값입니다"),  # the label, not the field name
    ({"service": "PAYROLL"}, "service", "MES, ERP, GROUPWARE, SECURITY, INFRA, BACKUP, OTHER"),
    ({"month": "0"}, "month", "1부터 12 사이"),
    ({"month": "13"}, "month", "1부터 12 사이"),
    ({"amount": "-5"}, "amount", "0 이상"),
    ({"amount": "12만원"}, "amount", "숫자가 아닙니다"),
    ({"amount": "1.234"}, "amount", "소수점 이하 2자리"),
    ({"amount": ""}, "amount", "필수 항목"),
    ({"year": ""}, "year", "필수 항목"),
    ({"year": "20x5"}, "year", "2000부터 2100"),
    ({"category": ""}, "category", "필수 항목"),
]


@pytest.mark.parametrize("change, field, message", BAD_INPUT)
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_bad_input_is_refused_next_to_the_field_and_keeps_typed_values(client, auth, tenant, db, change, field, message, headers):
    auth.login("pm")
    data = {**GOOD, **change}
    response = client.post("/costs/", data=data, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body and message in body.replace("&#39;", "'")
    assert ("<html" in body) is (not headers)
    assert 'value="ERP 라이선스 갱신"' in body or "ERP 라이선스 갱신</textarea>" in body
    if field != "amount":
        assert 'value="1,234,567"' in body  # the typed amount is kept as typed
    assert count(db) == 0 and audit_actions(db) == []


def test_server_of_another_tenant_is_refused(client, auth, tenant, other_tenant, db):
    from ..factories import add_server

    foreign = add_server(other_tenant, "their-db", year=2025, month=3, cpu=50)
    auth.login("pm")
    response = client.post("/costs/", data={**GOOD, "server_id": str(foreign.id)})
    assert response.status_code == 422 and count(db) == 0


# --- edit in place -------------------------------------------------------------------------


def test_edit_in_place(client, auth, costs, db):
    auth.login("pm")
    target = costs[0]
    editor = client.get(f"/costs/{target.id}/edit", headers=HX)
    html = editor.get_data(as_text=True)
    assert editor.status_code == 200
    assert "<html" not in html and 'class="editing"' in html and 'value="1000000"' in html

    response = client.post(
        f"/costs/{target.id}/edit",
        headers=HX,
        data={
            "year": "2025",
            "month": "1",
            "category": "SERVER",
            "service": "ERP",
            "amount": "1500000",
            "description": "ERP 서버 증설",
            "department": "IT",
        },
    )
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith("<tr") and "₩1,500,000" in row
    assert response.headers["HX-Trigger"] == "costs-totals-changed"
    assert db.session.get(CostEntry, target.id).amount == D("1500000.00")
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "update"))
    assert log.details["amount"] == ["1000000.00", "1500000.00"] and log.details["description"] == ["ERP 서버", "ERP 서버 증설"]

    cancel = client.get(f"/costs/{target.id}", headers=HX).get_data(as_text=True)
    assert cancel.lstrip().startswith("<tr") and "₩1,500,000" in cancel


def test_edit_with_bad_amount_shows_the_error_in_the_row(client, auth, costs, db):
    auth.login("pm")
    response = client.post(
        f"/costs/{costs[0].id}/edit",
        headers=HX,
        data={"year": "2025", "month": "1", "category": "SERVER", "service": "ERP", "amount": "-1"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'class="editing"' in body and "0 이상" in body and 'value="-1"' in body
    assert db.session.get(CostEntry, costs[0].id).amount == D("1000000.00")


def test_edit_page_without_javascript(client, auth, costs, db):
    auth.login("admin")
    page = client.get(f"/costs/{costs[1].id}/edit").get_data(as_text=True)
    assert "<html" in page and 'value="250000.50"' in page
    response = client.post(f"/costs/{costs[1].id}/edit", data={**GOOD, "amount": "300000"})
    assert response.status_code == 302
    assert db.session.get(CostEntry, costs[1].id).amount == D("300000.00")


# --- delete --------------------------------------------------------------------------------


def test_delete_asks_first_without_javascript(client, auth, costs, db):
    auth.login("pm")
    confirm = client.get(f"/costs/{costs[0].id}/delete").get_data(as_text=True)
    assert "되돌릴 수 없습니다" in confirm and costs[0].code in confirm and 'method="post"' in confirm
    assert count(db) == 4
    response = client.post(f"/costs/{costs[0].id}/delete")
    assert response.status_code == 302 and count(db) == 3
    assert audit_actions(db) == ["delete"]


def test_delete_with_htmx_removes_the_row_and_refreshes_totals(client, auth, costs, db):
    auth.login("pm")
    page = client.get("/costs/").get_data(as_text=True)
    assert f'hx-post="/costs/{costs[2].id}/delete"' in page and "hx-confirm=" in page
    response = client.post(f"/costs/{costs[2].id}/delete", headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert response.headers["HX-Trigger"] == "costs-totals-changed"
    totals = client.get("/costs/totals", headers=HX).get_data(as_text=True)
    assert "₩1,250,000" in totals and "<html" not in totals


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_no_javascript_save_and_delete_return_to_the_list_whatever_next_says(client, auth, costs, action):
    auth.login("pm")
    response = client.post(f"/costs/{costs[1].id}/{action}?next=/%5Cphish.example/", data={**GOOD, "amount": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/costs/"


# --- tenant isolation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix, method", [("", "get"), ("/edit", "get"), ("/edit", "post"), ("/delete", "get"), ("/delete", "post")]
)
def test_another_tenants_cost_is_404(client, auth, costs, other_tenant, db, suffix, method):
    foreign = db.session.scalar(select(CostEntry).where(CostEntry.tenant_id == other_tenant.id))
    auth.login("pm")
    response = getattr(client, method)(f"/costs/{foreign.id}{suffix}", data={**GOOD, "amount": "1"}, headers=HX)
    assert response.status_code == 404
    assert db.session.get(CostEntry, foreign.id).amount == D("77777777.00")


def test_codes_drawn_together_never_collide(app, db, tenant):
    from webapp.costs.service import unused_codes

    codes = unused_codes(tenant.id, "Asia/Seoul", 20_000)
    assert len(set(codes)) == 20_000  # 20,000 draws from 16.7 million collide about a dozen times without the check
    assert all(code.startswith("COST-") and len(code) == len("COST-20260101-ABCDEF") for code in codes)
