"""The FinOps JSON API: SPEC §7 paths and fields, money as numbers, validation, roles, tenant isolation."""

import json
import re
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from webapp.models import ApiToken, AuditLog, Budget, CostEntry, User

from ..factories import add_budget, add_cost

GOOD = {"year": 2025, "month": 1, "category": "LICENSE", "service": "ERP", "amount": 1500000, "description": "ERP 라이선스"}


class Api:
    """Calls the API as one user with a bearer token, as integrations do."""

    def __init__(self, client, db, tenant):
        self.client, self.db, self.tenant, self.headers = client, db, tenant, {}

    def login(self, username: str):
        user = self.db.session.scalar(select(User).where(User.username == username, User.tenant_id == self.tenant.id))
        _token, raw = ApiToken.issue(user, "test")
        self.db.session.commit()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def __getattr__(self, method):
        call = getattr(self.client, method)
        return lambda path, **kwargs: call(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture
def api(client, db, tenant):
    """The API client; `api.login("pm")` picks the caller."""
    return Api(client, db, tenant)


def stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(CostEntry))


@pytest.fixture
def data(tenant, other_tenant):
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "LICENSE", "MES", "500000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1300000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "250000")
    add_cost(tenant, 2025, 1, "NETWORK", "GROUPWARE", "100000.25")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "99999999")
    add_budget(tenant, 2025, 1, "2000000")
    return tenant


def test_create_cost_returns_201_with_money_as_a_number(api, tenant, db):
    api.login("pm")
    response = api.post("/api/finops/costs", json={**GOOD, "amount": "1234567.89"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["amount"] == 1234567.89 and isinstance(body["amount"], float)
    assert body["code"].startswith("COST-") and body["category_label"] == "소프트웨어 라이선스"
    assert body["created_by"] == "pm" and body["department"] == "IT"
    assert db.session.scalar(select(CostEntry.amount)) == D("1234567.89")
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.entity == "cost")) == "create"


def test_list_costs_with_filter_total_and_items(api, data):
    api.login("pm")
    body = api.get("/api/finops/costs?year=2025&month=1&service=MES").get_json()
    assert body["total"] == 1 and body["total_amount"] == 250000
    assert [(i["service"], i["amount"]) for i in body["items"]] == [("MES", 250000)]
    everything = api.get("/api/finops/costs").get_json()
    assert everything["total"] == 5 and everything["total_amount"] == 3150000.25
    assert all(item["amount"] != 99999999 for item in everything["items"])
    paged = api.get("/api/finops/costs?per_page=2&page=3").get_json()
    assert (paged["pages"], len(paged["items"]), paged["page"]) == (3, 1, 3)


def test_amounts_sum_exactly(api, tenant):
    api.login("pm")
    for amount in ("0.1", "0.2") * 5:
        assert api.post("/api/finops/costs", json={**GOOD, "amount": amount}).status_code == 201
    assert api.get("/api/finops/costs").get_json()["total_amount"] == 1.5
    summary = api.get("/api/finops/summary?year=2025&month=1").get_json()
    assert summary["total_amount"] == 1.5 and "1.5" in json.dumps(summary)


BAD_BODIES = [
    ({"category": "FOOD"}, "category"),
    ({"service": "PAYROLL"}, "service"),
    ({"month": 0}, "month"),
    ({"month": 13}, "month"),
    ({"amount": -1}, "amount"),
    ({"amount": "lots"}, "amount"),
    ({"amount": True}, "amount"),
    ({"year": None}, "year"),
]


@pytest.mark.parametrize("change, field", BAD_BODIES)
def test_bad_cost_is_422_naming_the_field_and_nothing_is_stored(api, tenant, db, change, field):
    api.login("pm")
    response = api.post("/api/finops/costs", json={**GOOD, **change})
    body = response.get_json()
    assert response.status_code == 422
    assert body["detail"].startswith(field) and list(body["errors"]) == [field]
    assert stored(db) == 0


@pytest.mark.parametrize("missing", ["year", "month", "category", "amount"])  # service defaults to INFRA (test_seed_contract)
def test_missing_field_is_refused(api, tenant, db, missing):
    api.login("pm")
    response = api.post("/api/finops/costs", json={k: v for k, v in GOOD.items() if k != missing})
    assert response.status_code == 422 and missing in response.get_json()["errors"] and stored(db) == 0


def test_several_bad_fields_are_all_named(api, tenant, db):
    api.login("pm")
    body = api.post(
        "/api/finops/costs", json={"year": 2025, "month": 13, "category": "X", "service": "ERP", "amount": -5}
    ).get_json()
    assert set(body["errors"]) == {"month", "category", "amount"}
    assert "month" in body["detail"] and "category" in body["detail"] and "amount" in body["detail"]


def test_body_that_is_not_json_is_400(api, tenant, db):
    api.login("pm")
    response = api.post("/api/finops/costs", data="year=2025", content_type="text/plain")
    assert response.status_code == 400 and "JSON" in response.get_json()["detail"] and stored(db) == 0


def test_summary_has_the_spec_fields_in_order(api, data):
    api.login("pm")
    response = api.get("/api/finops/summary?year=2025&month=1")
    body = response.get_json()
    assert body["total_amount"] == 1650000.25 and body["item_count"] == 3 and body["period"] == "2025-01"
    assert body["mom_change_pct"] == 10.0
    assert list(json.loads(response.data)["by_category"]) == ["SERVER", "LICENSE", "NETWORK"]
    assert body["by_category"]["SERVER"] == {"amount": 1300000, "label": "서버 운영비", "pct": 78.8, "item_count": 1}
    assert body["by_service"]["GROUPWARE"]["pct"] == 6.1
    assert body["budget"] == {"amount": 2000000, "usage_pct": 82.5, "status": "OK", "remaining": 349999.75}


def test_trend_allocation_anomalies_recommendations(api, data):
    api.login("pm")
    trend = api.get("/api/finops/trend?months=13&end=2025-01").get_json()
    assert [row["period"] for row in trend["data"]][:2] == ["2024-01", "2024-02"] and len(trend["data"]) == 13
    assert trend["data"][-1]["total_amount"] == 1650000.25 and trend["months"] == 13
    assert {"trend_pct", "trend_dir", "service"} <= set(trend)
    allocation = api.get("/api/finops/allocation?year=2025&month=1").get_json()
    assert allocation["total"] == 1650000.25 and allocation["allocation"]["BACKUP"]["amount"] == 0
    assert allocation["allocation"]["MES"]["by_category"]["LICENSE"] == 250000
    anomalies = api.get("/api/finops/anomalies?year=2025&month=1&threshold=30").get_json()
    assert anomalies["threshold_pct"] == 30 and anomalies["anomaly_count"] == 3
    assert [(a["service"], a["direction"], a["severity"], a["change_pct"]) for a in anomalies["anomalies"]] == [
        ("GROUPWARE", "NEW", "WARNING", None),
        ("MES", "DOWN", "CRITICAL", -50.0),
        ("ERP", "UP", "WARNING", 30.0),
    ]
    assert anomalies["anomalies"][2]["contributors"][0]["change_amount"] == 300000
    recommendations = api.get("/api/finops/recommendations?year=2025&month=1").get_json()
    assert recommendations["recommendation_count"] == len(recommendations["recommendations"]) >= 1
    assert isinstance(recommendations["total_potential_saving"], (int, float))


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/finops/anomalies?threshold=4", "threshold"),
        ("/api/finops/anomalies?threshold=201", "threshold"),
        ("/api/finops/trend?months=0", "months"),
        ("/api/finops/trend?months=25", "months"),
        ("/api/finops/trend?service=NOPE", "service"),
        ("/api/finops/trend?end=2025-13", "end"),
        ("/api/finops/summary?month=13", "month"),
        ("/api/finops/summary?month=0", "month"),
        ("/api/finops/allocation?year=abc", "year"),
        ("/api/finops/costs?category=FOOD", "category"),
        ("/api/finops/costs?per_page=5000", "per_page"),
        ("/api/finops/budget?service=NOPE", "service"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_field(api, tenant, path, field):
    api.login("pm")
    response = api.get(path)
    assert response.status_code == 400 and response.get_json()["detail"].startswith(field)


def test_bad_year_and_month_are_both_named(api, tenant):
    api.login("pm")
    response = api.get("/api/finops/recommendations?year=abc&month=13")
    assert response.status_code == 400 and set(response.get_json()["errors"]) == {"year", "month"}


def test_budget_set_and_get(api, data, db):
    api.login("admin")
    response = api.post("/api/finops/budget", json={"year": 2025, "month": 1, "service": "ERP", "amount": 1000000})
    body = response.get_json()
    assert response.status_code == 201 and body["created"] is True
    assert body["budget"]["amount"] == body["budget_amount"] == 1000000 and body["budget"]["service"] == "ERP"
    assert (body["actual"], body["usage_pct"], body["status"], body["variance"]) == (1300000, 130.0, "OVER", 300000)
    again = api.post("/api/finops/budget", json={"year": 2025, "month": 1, "service": "ERP", "amount": 1500000}).get_json()
    assert again["created"] is False and again["id"] == body["id"] and again["status"] == "OK"
    whole = api.get("/api/finops/budget?year=2025&month=1").get_json()
    assert (whole["budget"], whole["service"], whole["actual"]) == (2000000, "ALL", 1650000.25)
    assert set(whole) >= {"year", "month", "budget", "actual", "variance", "usage_pct", "status", "remaining", "item_count"}
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"year": 2025, "month": 1, "service": "ALL", "amount": -1}, "amount"),
        ({"year": 2025, "month": 13, "service": "ALL", "amount": 1}, "month"),
        ({"year": 2025, "month": 1, "service": "HR", "amount": 1}, "service"),
        ({"month": 1, "service": "ALL", "amount": 1}, "year"),
    ],
)
def test_bad_budget_is_422(api, tenant, db, body, field):
    api.login("admin")
    response = api.post("/api/finops/budget", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 0


def test_pm_cannot_set_budgets(api, tenant, db):
    api.login("pm")
    response = api.post("/api/finops/budget", json={"year": 2025, "month": 1, "service": "ALL", "amount": 1})
    assert response.status_code == 403 and response.get_json()["detail"] == "예산은 관리자만 설정할 수 있습니다."
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 0


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/finops/costs"),
        ("post", "/api/finops/costs"),
        ("get", "/api/finops/summary"),
        ("get", "/api/finops/trend"),
        ("get", "/api/finops/allocation"),
        ("get", "/api/finops/anomalies"),
        ("get", "/api/finops/recommendations"),
        ("get", "/api/finops/budget"),
        ("post", "/api/finops/budget"),
    ],
)
def test_staff_gets_403_json(api, tenant, db, method, path):
    api.login("staff")
    response = getattr(api, method)(path, json=GOOD if method == "post" else None)
    assert response.status_code == 403 and "detail" in response.get_json()
    assert stored(db) == 0


def test_browser_session_writes_need_the_csrf_token(client, auth, tenant, db):
    auth.login("pm")
    refused = client.post("/api/finops/costs", json=GOOD)
    assert refused.status_code == 400 and stored(db) == 0
    page = client.get("/costs/").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post("/api/finops/costs", json=GOOD, headers={"X-CSRFToken": token})
    assert response.status_code == 201 and stored(db) == 1
    assert client.get("/api/finops/summary?year=2025&month=1").get_json()["total_amount"] == 1500000


def test_update_and_delete_a_cost(api, data, db):
    api.login("pm")
    cost_id = db.session.scalar(
        select(CostEntry.id).where(CostEntry.tenant_id == data.id, CostEntry.service == "MES", CostEntry.month == 1)
    )
    response = api.patch(f"/api/finops/costs/{cost_id}", json={"amount": "260000"})
    assert response.status_code == 200 and response.get_json()["amount"] == 260000
    assert api.get(f"/api/finops/costs/{cost_id}").get_json()["amount"] == 260000
    assert api.patch(f"/api/finops/costs/{cost_id}", json={"month": 13}).status_code == 422
    assert api.delete(f"/api/finops/costs/{cost_id}").status_code == 204
    assert db.session.get(CostEntry, cost_id) is None
    assert list(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "cost"))) == ["update", "delete"]


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_tenants_cost_is_404(api, data, other_tenant, db, method):
    foreign = db.session.scalar(select(CostEntry).where(CostEntry.tenant_id == other_tenant.id))
    api.login("admin")
    response = getattr(api, method)(f"/api/finops/costs/{foreign.id}", json={"amount": 1} if method in ("patch", "put") else None)
    assert response.status_code == 404 and "detail" in response.get_json()
    assert db.session.get(CostEntry, foreign.id).amount == D("99999999.00")
