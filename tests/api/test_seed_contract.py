"""The seed routers' contract (SPEC §7), written down with the old field names only.

An existing ITSM client was written against these paths and names; each test reads the answer the
way that client does, so no later change can rename or drop one of them.  Newer fields may be added
beside them (and are deliberately not read here).
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.costs.service import create_cost
from webapp.models import ApiToken, CostEntry, User, new_cost_code
from webapp.service_requests.service import create_sr, new_sr_code

from ..factories import add_budget, add_cost, add_server
from ..reports.conftest import march  # noqa: F401  (fixture)

COST_CODE = re.compile(r"^COST-\d{8}-[0-9A-F]{6}$")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
SEED_COST_FIELDS = {
    "cost_id",
    "year",
    "month",
    "category",
    "service",
    "amount",
    "description",
    "server_id",
    "department",
    "created_by",
    "created_at",
}


class Client:
    """An integration calling the API with a bearer token of one user (as the seed's clients do)."""

    def __init__(self, client, db, tenant):
        self.client, self.db, self.tenant, self.headers = client, db, tenant, {}

    def as_user(self, username: str) -> "Client":
        """Call as this user of the tenant from now on."""
        user = self.db.session.scalar(select(User).where(User.username == username, User.tenant_id == self.tenant.id))
        _token, raw = ApiToken.issue(user, "seed client")
        self.db.session.commit()
        self.headers = {"Authorization": f"Bearer {raw}"}
        return self

    def get(self, path: str, **kwargs):
        """GET with the token."""
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs):
        """POST with the token."""
        return self.client.post(path, headers=self.headers, **kwargs)


@pytest.fixture
def seed_client(client, db, tenant):
    """The integration, as PM."""
    return Client(client, db, tenant).as_user("pm")


@pytest.fixture
def month_data(tenant):
    """January and February 2026: the rules of SPEC §3.6 all fire in February.

    February (total 9,000,400): SECURITY licences 4,000,000 (44.4 % > 30 %), INFRA maintenance
    3,000,000 (33.3 % > 25 %), ERP servers 1,500,400 (+50.04 % on January's 1,000,000), and MES's
    idle server (CPU 5 %) 500,000.
    """
    add_cost(tenant, 2026, 1, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2026, 2, "LICENSE", "SECURITY", "4000000")
    add_cost(tenant, 2026, 2, "MAINTENANCE", "INFRA", "3000000")
    add_cost(tenant, 2026, 2, "SERVER", "ERP", "1500400")
    idle = add_server(tenant, "idle-01", year=2026, month=2, cpu="5", service="MES")
    add_cost(tenant, 2026, 2, "SERVER", "MES", "500000", server=idle)
    add_budget(tenant, 2026, 2, "10000000")
    return tenant


# --- costs ---------------------------------------------------------------------------------------


def test_cost_without_service_is_infra_and_answers_the_seed_fields(seed_client, db):
    response = seed_client.post(
        "/api/finops/costs",
        json={"year": 2026, "month": 1, "category": "SERVER", "amount": 1200000, "description": "서버 호스팅"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert SEED_COST_FIELDS <= set(body)
    assert body["service"] == "INFRA"
    assert COST_CODE.match(body["cost_id"])
    assert (body["year"], body["month"], body["category"], body["amount"]) == (2026, 1, "SERVER", 1200000)
    assert (body["description"], body["server_id"], body["department"], body["created_by"]) == ("서버 호스팅", None, "IT", "pm")
    assert ISO_TIME.match(body["created_at"])
    stored = db.session.scalar(select(CostEntry))
    assert (stored.service, stored.code) == ("INFRA", body["cost_id"])


def test_cost_list_is_total_total_amount_items(seed_client, month_data):
    body = seed_client.get("/api/finops/costs?year=2026&month=2&service=ERP").get_json()
    assert (body["total"], body["total_amount"]) == (1, 1500400)
    item = body["items"][0]
    assert SEED_COST_FIELDS <= set(item) and COST_CODE.match(item["cost_id"]) and item["amount"] == 1500400


# --- budgets -------------------------------------------------------------------------------------


def test_setting_a_budget_answers_the_message_and_the_budget_object(client, db, tenant):
    admin = Client(client, db, tenant).as_user("admin")
    response = admin.post("/api/finops/budget", json={"year": 2026, "month": 1, "service": "ALL", "amount": 50000000})
    assert response.status_code == 201
    body = response.get_json()
    assert body["message"] == "2026년 1월 예산이 설정되었습니다."
    budget = body["budget"]
    assert {k: budget[k] for k in ("year", "month", "service", "amount", "set_by")} == {
        "year": 2026,
        "month": 1,
        "service": "ALL",
        "amount": 50000000,
        "set_by": "admin",
    }
    assert ISO_TIME.match(budget["set_at"])


def test_the_budget_message_follows_the_users_language(client, db, tenant):
    admin = Client(client, db, tenant).as_user("admin")
    client.set_cookie("lang", "en")
    body = admin.post("/api/finops/budget", json={"year": 2026, "month": 1, "service": "ERP", "amount": 1}).get_json()
    assert body["message"] == "The budget for 2026-01 has been set."
    assert body["budget"]["service"] == "ERP"


def test_budget_vs_actual(seed_client, month_data):
    body = seed_client.get("/api/finops/budget?year=2026&month=2").get_json()
    assert {
        k: body[k] for k in ("year", "month", "budget", "actual", "variance", "usage_pct", "status", "remaining", "item_count")
    } == {
        "year": 2026,
        "month": 2,
        "budget": 10000000,
        "actual": 9000400,
        "variance": -999600,
        "usage_pct": 90.0,
        "status": "OK",
        "remaining": 999600,
        "item_count": 4,
    }


# --- analytics -----------------------------------------------------------------------------------


def test_summary(seed_client, month_data):
    body = seed_client.get("/api/finops/summary?year=2026&month=2").get_json()
    assert (body["year"], body["month"], body["period"], body["total_amount"], body["item_count"]) == (
        2026,
        2,
        "2026-02",
        9000400,
        4,
    )
    assert body["by_category"]["LICENSE"]["amount"] == 4000000 and body["by_category"]["LICENSE"]["pct"] == 44.4
    assert body["by_category"]["LICENSE"]["label"] == "소프트웨어 라이선스"
    assert {k: body["by_service"]["ERP"][k] for k in ("amount", "pct")} == {"amount": 1500400, "pct": 16.7}
    assert body["mom_change_pct"] == 800.0
    assert {k: body["budget"][k] for k in ("amount", "usage_pct", "status")} == {
        "amount": 10000000,
        "usage_pct": 90.0,
        "status": "OK",
    }


def test_trend_without_a_service_is_all(seed_client, month_data):
    body = seed_client.get("/api/finops/trend?months=3&end=2026-02").get_json()
    assert body["service"] == "ALL" and body["months"] == 3
    assert [{k: m[k] for k in ("year", "month", "period", "total_amount", "item_count")} for m in body["data"]] == [
        {"year": 2025, "month": 12, "period": "2025-12", "total_amount": 0, "item_count": 0},
        {"year": 2026, "month": 1, "period": "2026-01", "total_amount": 1000000, "item_count": 1},
        {"year": 2026, "month": 2, "period": "2026-02", "total_amount": 9000400, "item_count": 4},
    ]
    assert (body["trend_pct"], body["trend_dir"]) == (0, "STABLE")  # the first month is 0
    assert seed_client.get("/api/finops/trend?months=2&end=2026-02&service=ERP").get_json()["service"] == "ERP"


def test_trend_of_this_month_without_end_is_all_too(seed_client, month_data):
    assert seed_client.get("/api/finops/trend").get_json()["service"] == "ALL"


def test_allocation(seed_client, month_data):
    body = seed_client.get("/api/finops/allocation?year=2026&month=2").get_json()
    assert (body["year"], body["month"], body["total"]) == (2026, 2, 9000400)
    erp = body["allocation"]["ERP"]
    assert (erp["amount"], erp["pct"], erp["item_count"], erp["by_category"]["SERVER"]) == (1500400, 16.7, 1, 1500400)
    assert body["allocation"]["BACKUP"]["amount"] == 0  # every service, zero rows included


def test_anomalies(seed_client, month_data):
    body = seed_client.get("/api/finops/anomalies?year=2026&month=2&threshold=30").get_json()
    assert (body["year"], body["month"], body["threshold_pct"]) == (2026, 2, 30)
    assert body["anomaly_count"] == len(body["anomalies"]) == 4
    erp = next(a for a in body["anomalies"] if a["service"] == "ERP")
    assert {k: erp[k] for k in ("service", "curr_amount", "prev_amount", "change_pct", "direction", "severity")} == {
        "service": "ERP",
        "curr_amount": 1500400,
        "prev_amount": 1000000,
        "change_pct": 50.0,
        "direction": "UP",
        "severity": "CRITICAL",
    }


def test_recommendations_carry_percentages_and_a_real_total_percentage(seed_client, month_data):
    body = seed_client.get("/api/finops/recommendations?year=2026&month=2").get_json()
    assert (body["year"], body["month"], body["total_amount"], body["recommendation_count"]) == (2026, 2, 9000400, 4)
    assert [(r["type"], r["severity"], r["potential_saving_pct"]) for r in body["recommendations"]] == [
        ("LICENSE_REVIEW", "HIGH", 10),
        ("MAINTENANCE_REVIEW", "MEDIUM", 5),
        ("COST_SPIKE", "HIGH", 15),
        ("IDLE_SERVER", "MEDIUM", 100),
    ]
    assert all(r["message"] for r in body["recommendations"])
    # savings 400,000 + 150,000 + 75,060 + 500,000 = 1,125,060 of 9,000,400 → 12.5 % (not 10 + 5 + 15 + 100)
    assert body["total_potential_saving_pct"] == 12.5


def test_a_quiet_month_recommends_nothing_and_saves_zero_percent(seed_client, tenant):
    add_cost(tenant, 2026, 3, "SERVER", "ERP", "1000000")
    body = seed_client.get("/api/finops/recommendations?year=2026&month=3").get_json()
    assert [(r["type"], r["potential_saving_pct"]) for r in body["recommendations"]] == [("NORMAL", 0)]
    assert body["total_potential_saving_pct"] == 0
    empty = seed_client.get("/api/finops/recommendations?year=2026&month=4").get_json()
    assert (empty["total_amount"], empty["total_potential_saving_pct"]) == (0, 0)


@pytest.mark.parametrize(("february", "spike"), [("1500000", False), ("1500400", True), ("1500001", True)])
def test_cost_spike_is_strictly_more_than_fifty_percent_by_the_exact_ratio(seed_client, tenant, february, spike):
    add_cost(tenant, 2026, 1, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2026, 2, "SERVER", "ERP", february)  # +50.00 %, +50.04 %, +50.0001 %
    types = [r["type"] for r in seed_client.get("/api/finops/recommendations?year=2026&month=2").get_json()["recommendations"]]
    assert ("COST_SPIKE" in types) is spike


# --- codes ---------------------------------------------------------------------------------------

EVENING_UTC = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)  # 2026-04-01 05:00 in Seoul


def test_cost_code_date_is_the_creation_date_in_the_tenants_zone(db, tenant, factory):
    pm = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))
    values = {
        "year": 2026,
        "month": 3,
        "category": "SERVER",
        "service": "INFRA",
        "amount": Decimal("1"),
        "description": "",
        "department": "IT",
        "server_id": None,
    }
    entry = create_cost(pm, values, now=EVENING_UTC)
    assert entry.code.startswith("COST-20260401-") and COST_CODE.match(entry.code)
    assert entry.created_at == EVENING_UTC
    utc_tenant = factory.tenant("utc", "UTC 기관", timezone="UTC")
    assert create_cost(factory.user(utc_tenant, "pm"), values, now=EVENING_UTC).code.startswith("COST-20260331-")
    assert new_cost_code(EVENING_UTC, "America/New_York").startswith("COST-20260331-")


def test_sr_code_date_is_the_creation_date_in_the_tenants_zone(db, tenant):
    values = {"title": "야간 장애", "type": "INCIDENT", "priority": "P2", "service": "ERP", "status": "OPEN"}
    staff = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "staff"))
    sr = create_sr(tenant.id, staff, values, now=EVENING_UTC)
    db.session.commit()
    assert re.match(r"^SR-20260401-[0-9A-F]{6}$", sr.code)
    assert new_sr_code(tenant.id, EVENING_UTC, "UTC").startswith("SR-20260331-")


def test_a_cost_created_through_the_api_has_todays_date_in_the_tenants_zone(seed_client, tenant):
    from zoneinfo import ZoneInfo

    before = datetime.now(ZoneInfo(tenant.timezone)).strftime("%Y%m%d")
    code = seed_client.post("/api/finops/costs", json={"year": 2026, "month": 1, "category": "SERVER", "amount": 1}).get_json()[
        "cost_id"
    ]
    after = datetime.now(ZoneInfo(tenant.timezone)).strftime("%Y%m%d")
    assert code[5:13] in (before, after)


# --- reports and schedules -----------------------------------------------------------------------


def test_templates(seed_client):
    body = seed_client.get("/api/auto-report/templates").get_json()
    assert [(t["code"], t["name"], t["period"], t["format"]) for t in body] == [
        ("weekly_ops", "주간 운영 보고서", "WEEKLY", ["excel", "pdf"]),
        ("monthly_sla", "월간 SLA 보고서", "MONTHLY", ["excel", "pdf"]),
        ("incident_rca", "인시던트 분석", "MONTHLY", ["pdf"]),
        ("capacity_plan", "용량 계획 보고서", "QUARTERLY", ["excel"]),
        ("monthly_cost", "월간 IT 비용 보고서", "MONTHLY", ["excel", "pdf"]),
    ]


SEED_SR_FIGURES = {"sr_total": 7, "sr_done": 4, "sr_open": 3, "completion_rate": 57.1, "mttr_hours": 14.3}


@pytest.mark.parametrize("template", ["weekly_ops", "monthly_sla", "incident_rca", "capacity_plan", "monthly_cost"])
def test_generate_answers_the_seed_fields_and_the_sr_figures_for_every_template(seed_client, march, template):  # noqa: F811
    fmt = "pdf" if template == "incident_rca" else "excel"
    response = seed_client.post(
        "/api/auto-report/generate",
        json={"template": template, "period_start": "2026-03-01", "period_end": "2026-03-31", "format": fmt, "wait": 30},
    )
    body = response.get_json()
    assert body["ok"] is True and body["status"] == "DONE" and isinstance(body["report_id"], int)
    assert body["template"] == template and body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert {k: body["data_summary"][k] for k in SEED_SR_FIGURES} == SEED_SR_FIGURES  # the March SRs of tests/reports
    listed = seed_client.get("/api/auto-report/list").get_json()[0]
    assert {k: listed[k] for k in ("id", "template", "period", "format", "status")} == {
        "id": body["report_id"],
        "template": template,
        "period": "2026-03-01~2026-03-31",
        "format": fmt,
        "status": "DONE",
    }
    assert ISO_TIME.match(listed["created_at"])
    download = seed_client.get(f"/api/auto-report/{body['report_id']}/download")
    assert download.status_code == 200 and download.data[:4] in (b"%PDF", b"PK\x03\x04")


def test_schedule_with_one_email_and_the_list_with_next_run_at(seed_client):
    response = seed_client.post(
        "/api/auto-report/schedule", json={"template": "monthly_sla", "cron": "30 8 1 * *", "email": "sla@example.kr"}
    )
    assert response.status_code == 201
    listed = seed_client.get("/api/auto-report/schedule").get_json()
    assert [(s["template"], s["cron"], s["format"], s["timezone"]) for s in listed] == [
        ("monthly_sla", "30 8 1 * *", "excel", "Asia/Seoul")
    ]
    assert ISO_TIME.match(listed[0]["next_run_at"])


def test_errors_are_detail_json(seed_client, tenant):
    staff = Client(seed_client.client, seed_client.db, tenant).as_user("staff")
    refused = staff.get("/api/finops/costs")
    assert refused.status_code == 403 and refused.get_json()["detail"]
    bad = seed_client.post("/api/finops/costs", json={"year": 2026, "month": 13, "category": "SERVER", "amount": 1})
    assert bad.status_code == 422 and "month" in bad.get_json()["detail"]
    assert db_unchanged(seed_client.db)


def db_unchanged(db) -> bool:
    """True when no cost was stored."""
    return db.session.scalar(select(CostEntry.id)) is None


def test_monthly_cost_report_is_refused_to_staff_in_the_seed_shape(seed_client, tenant):
    staff = Client(seed_client.client, seed_client.db, tenant).as_user("staff")
    response = staff.post("/api/auto-report/generate", json={"template": "monthly_cost"})
    assert response.status_code == 403 and "monthly_cost" in response.get_json()["detail"]
    assert [t["code"] for t in staff.get("/api/auto-report/templates").get_json()] == [
        "weekly_ops",
        "monthly_sla",
        "incident_rca",
    ]
