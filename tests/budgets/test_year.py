"""Budgets over the year: 12 months per scope, year to date, the run-rate forecast, copying last year's budgets."""

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from webapp.analytics.periods import current_month
from webapp.budgets.year import budget_year, year_overview
from webapp.extensions import db
from webapp.models import AuditLog, Budget

from ..factories import add_budget, add_cost

TODAY = (2025, 7)  # July 2025: year to date is January–July, the run rate is April–June, 5 months are left


@pytest.fixture
def year_2025(tenant, other_tenant):
    """ALL budget 1,000,000 a month; ERP 300,000 for January–June; ERP, MES and GROUPWARE costs to July."""
    for month in range(1, 13):
        add_budget(tenant, 2025, month, "1000000")
    for month in range(1, 7):
        add_budget(tenant, 2025, month, "300000", service="ERP")
    for month, erp in enumerate([250000, 280000, 300000, 320000, 310000, 330000, 100000], start=1):
        add_cost(tenant, 2025, month, "LICENSE", "ERP", erp, commit=False)
        add_cost(tenant, 2025, month, "SERVER", "MES", 600000, commit=False)
    for month in (4, 5, 6):
        add_cost(tenant, 2025, month, "NETWORK", "GROUPWARE", 50000, commit=False)
    add_cost(other_tenant, 2025, 5, "SERVER", "ERP", 99999999, commit=False)
    db.session.commit()
    return tenant


def test_year_of_the_institution_total(year_2025):
    year = budget_year(year_2025.id, 2025, "ALL", today=TODAY)
    actuals = [m["actual"] for m in year["months"]]
    assert actuals == [D(850000), D(880000), D(900000), D(970000), D(960000), D(980000), D(700000)] + [D(0)] * 5
    assert [m["budget"] for m in year["months"]] == [D(1000000)] * 12
    assert year["months"][3]["usage_pct"] == D("97.0") and year["months"][3]["status"] == "WARNING"
    assert year["months"][0]["status"] == "OK" and year["months"][11]["usage_pct"] == D("0.0")
    assert year["ytd_months"] == 7 and year["ytd_budget"] == D(7000000) and year["ytd_actual"] == D(6240000)
    assert year["annual_budget"] == D(12000000)
    # 6,240,000 + (970,000 + 960,000 + 980,000) / 3 × 5 = 6,240,000 + 970,000 × 5
    assert year["forecast_run_rate"] == D(970000) and year["forecast_months_left"] == 5
    assert year["forecast_year_end"] == D(11090000)
    assert year["forecast_usage_pct"] == D("92.4") and year["forecast_status"] == "WARNING"
    assert year["forecast_method"] == (
        "연초부터 지금까지의 실적(2025-01 – 2025-07: ₩6,240,000) + 최근 완료된 3개월 평균"
        "(2025-04 – 2025-06: 월 ₩970,000) × 남은 5개월."
    )


def test_year_of_one_service(year_2025):
    year = budget_year(year_2025.id, 2025, "ERP", today=TODAY)
    assert [m["usage_pct"] for m in year["months"][:6]] == [D("83.3"), D("93.3"), D("100.0"), D("106.7"), D("103.3"), D("110.0")]
    assert [m["status"] for m in year["months"][:7]] == ["OK", "WARNING", "WARNING", "WARNING", "WARNING", "WARNING", "NO_BUDGET"]
    assert year["ytd_budget"] == D(1800000) and year["ytd_actual"] == D(1890000)  # July has cost but no budget
    assert year["annual_budget"] == D(1800000)
    assert year["forecast_run_rate"] == D(320000) and year["forecast_year_end"] == D(3490000)  # 1,890,000 + 320,000 × 5
    assert year["forecast_usage_pct"] == D("193.9") and year["forecast_status"] == "OVER"


def test_the_run_rate_crosses_into_last_year_and_rounds_to_the_cent(tenant):
    add_budget(tenant, 2026, 1, "500", service="SECURITY")
    for month, amount in ((10, "100.00"), (11, "100.00"), (12, "101.00")):
        add_cost(tenant, 2025, month, "LICENSE", "SECURITY", amount)
    add_cost(tenant, 2026, 1, "LICENSE", "SECURITY", "90.00")
    year = budget_year(tenant.id, 2026, "SECURITY", today=(2026, 1))
    assert year["forecast_run_rate"] == D("100.33")  # 301 / 3
    assert year["forecast_year_end"] == D("90.00") + D("100.33") * 11 == D("1193.63")
    assert "2025-10 – 2025-12" in year["forecast_method"]


def test_a_past_year_and_a_future_year(year_2025):
    past = budget_year(year_2025.id, 2025, "ALL", today=(2026, 3))
    assert past["ytd_months"] == 12 and past["ytd_actual"] == past["forecast_year_end"] == D(6240000)
    assert past["forecast_usage_pct"] == D("52.0") and past["forecast_months_left"] == 0
    assert past["forecast_method"] == "한 해가 끝났습니다: 연말 수치는 실제 비용입니다."
    future = budget_year(year_2025.id, 2025, "ALL", today=(2024, 11))
    assert future["ytd_months"] == 0 and future["ytd_actual"] == 0 and future["ytd_budget"] is None
    assert future["forecast_year_end"] is None and future["forecast_usage_pct"] is None


def test_overview_lists_all_and_every_service_with_a_budget(year_2025):
    overview = year_overview(year_2025.id, 2025, today=TODAY)
    assert list(overview["scopes"]) == ["ALL", "ERP"]  # MES and GROUPWARE have costs but no budget


@pytest.mark.parametrize("year, service, field", [("1999", "ALL", "year"), ("2025", "NOPE", "service")])
def test_bad_parameters_are_refused(client, auth, tenant, year, service, field):
    auth.login("pm")
    response = client.get(f"/api/finops/budget/year?year={year}&service={service}")
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_api_gives_the_year(client, auth, year_2025):
    auth.login("pm")
    answer = client.get("/api/finops/budget/year?year=2025&service=ERP").get_json()
    this_year, this_month = current_month("Asia/Seoul")
    assert this_year > 2025  # the fixture's year is over, so its figures do not depend on today
    assert list(answer)[:10] == [
        "year",
        "service",
        "months",
        "ytd_months",
        "ytd_budget",
        "ytd_actual",
        "ytd_usage_pct",
        "ytd_status",
        "annual_budget",
        "forecast_year_end",
    ]
    assert answer["year"] == 2025 and answer["service"] == "ERP" and len(answer["months"]) == 12
    assert answer["months"][3] == {
        "month": 4,
        "period": "2025-04",
        "budget": 300000,
        "actual": 320000,
        "usage_pct": 106.7,
        "status": "WARNING",
    }
    assert answer["ytd_budget"] == 1800000 and answer["ytd_actual"] == 1890000 and answer["annual_budget"] == 1800000
    assert answer["forecast_year_end"] == 1890000 and answer["forecast_usage_pct"] == 105.0
    assert answer["forecast_method"].startswith("한 해가 끝났습니다")
    current = client.get("/api/finops/budget/year").get_json()  # this year in the tenant's zone, ALL
    assert current["year"] == this_year and current["service"] == "ALL" and current["ytd_months"] == this_month
    assert current["forecast_year_end"] == 0
    assert (f"남은 {12 - this_month}개월" if this_month < 12 else "12월이 마지막 달입니다") in current["forecast_method"]


def test_in_december_the_forecast_is_the_year_to_date(year_2025):
    year = budget_year(year_2025.id, 2025, "ALL", today=(2025, 12))
    assert year["ytd_months"] == 12 and year["forecast_year_end"] == year["ytd_actual"] == D(6240000)
    assert year["forecast_months_left"] == 0
    assert year["forecast_method"] == "12월이 마지막 달입니다: 예측은 연초부터 지금까지의 실적(₩6,240,000)입니다."


def test_staff_cannot_see_the_year(client, auth, tenant):
    auth.login("staff")
    assert client.get("/budgets/year").status_code == 403
    assert client.get("/api/finops/budget/year").status_code == 403


def test_year_page_shows_the_figures_and_the_method(client, auth, year_2025):
    auth.login("pm")
    page = client.get("/budgets/year?year=2025&service=ERP").get_data(as_text=True)
    assert 'data-scope="ERP"' in page and 'data-testid="ytd-actual">₩1,890,000<' in page
    assert 'data-testid="annual-budget">₩1,800,000<' in page and 'data-testid="forecast">₩1,890,000<' in page
    assert "연간 예산의 105.0%" in page and "한 해가 끝났습니다" in page
    assert '<tr data-month="4"' in page and "106.7%" in page
    assert 'id="copy-form"' not in page  # PM sees the year, only ADMIN copies
    assert "99,999,999" not in page
    assert client.get("/budgets/year?year=abc").status_code == 422


# --- copying last year's budgets ---------------------------------------------------------------


def budgets_of(year):
    return {(b.month, b.service): b.amount for b in db.session.scalars(select(Budget).where(Budget.year == year))}


@pytest.fixture
def last_year(tenant, other_tenant):
    """2024: ALL 1,000,000 every month, ERP 333,333 in January–March; 2025 already has January's ALL budget."""
    for month in range(1, 13):
        add_budget(tenant, 2024, month, "1000000")
    for month in (1, 2, 3):
        add_budget(tenant, 2024, month, "333333", service="ERP")
    add_budget(tenant, 2025, 1, "5")
    add_budget(other_tenant, 2024, 6, "777")
    return tenant


def test_copy_every_scope_scaled_leaves_existing_months_alone(client, auth, last_year):
    auth.login("admin")
    response = client.post("/budgets/year/copy", data={"year": "2025", "scope": "*", "scale_pct": "3"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/budgets/year?year=2025")
    copied = budgets_of(2025)
    assert copied[(1, "ALL")] == D("5.00")  # already set: untouched
    assert all(copied[(m, "ALL")] == D("1030000.00") for m in range(2, 13))
    assert copied[(1, "ERP")] == D("343333.00")  # 333,333 × 1.03 = 343,332.99 → whole won
    assert len(copied) == 15 and (6, "ALL") in copied
    page = client.get("/budgets/year?year=2025").get_data(as_text=True)
    assert "2024년의 월 예산 14개를 2025년으로 복사했습니다(+3%)" in page and "1개월은 이미 예산이 있어 그대로 두었습니다" in page
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "copy"))
    assert audit.details["copied"] == 14 and audit.details["kept"] == 1
    again = client.post("/budgets/year/copy", data={"year": "2025", "scope": "*", "scale_pct": "3"}, follow_redirects=True)
    assert "월 예산 0개를 2025년으로 복사했습니다" in again.get_data(as_text=True)
    assert "15개월은 이미 예산이 있어 그대로 두었습니다" in again.get_data(as_text=True)
    assert budgets_of(2025) == copied


def test_copy_one_scope_with_a_cut(client, auth, last_year):
    auth.login("admin")
    client.post("/budgets/year/copy", data={"year": "2025", "scope": "ERP", "scale_pct": "-10"})
    assert budgets_of(2025) == {
        (1, "ALL"): D("5.00"),
        (1, "ERP"): D("300000.00"),
        (2, "ERP"): D("300000.00"),
        (3, "ERP"): D("300000.00"),
    }  # 333,333 × 0.9 = 299,999.7 → 300,000


def test_copy_from_an_empty_year_says_so(client, auth, last_year):
    auth.login("admin")
    page = client.post("/budgets/year/copy", data={"year": "2030", "scope": "*"}, follow_redirects=True).get_data(as_text=True)
    assert "2029년에는 복사할 예산이 없습니다." in page and budgets_of(2030) == {}


@pytest.mark.parametrize("scale", ["-100", "abc", "1001"])
def test_a_bad_scale_is_refused_and_nothing_copied(client, auth, last_year, scale):
    auth.login("admin")
    response = client.post("/budgets/year/copy", data={"year": "2025", "scope": "*", "scale_pct": scale})
    assert response.status_code == 422 and "scale_pct(증감률)" in response.get_data(as_text=True)
    assert budgets_of(2025) == {(1, "ALL"): D("5.00")}


def test_only_admin_copies(client, auth, last_year):
    auth.login("pm")
    assert client.post("/budgets/year/copy", data={"year": "2025", "scope": "*"}).status_code == 403
    assert budgets_of(2025) == {(1, "ALL"): D("5.00")}
