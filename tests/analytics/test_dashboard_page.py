"""The dashboard page shows the month's figures, charts, anomalies and recommendations."""

import pytest

from ..factories import add_budget, add_cost, add_server


@pytest.fixture
def month(tenant, other_tenant):
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "LICENSE", "MES", "500000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1100000")
    add_cost(tenant, 2025, 1, "PERSONNEL", "ERP", "200000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "250000")
    add_cost(tenant, 2025, 1, "NETWORK", "GROUPWARE", "100000")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "99999999")
    add_budget(tenant, 2025, 1, "1800000")
    idle = add_server(tenant, "old-batch", year=2025, month=1, cpu="3")
    add_cost(tenant, 2025, 1, "SERVER", "INFRA", "50000", server=idle)
    return tenant


def test_dashboard_shows_the_month(client, auth, month):
    auth.login("pm")
    response = client.get("/dashboard?year=2025&month=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="dashboard-total">₩1,700,000<' in page
    assert "+13.3%" in page  # 1,700,000 vs 1,500,000
    assert 'data-status="WARNING"' in page and "94.4%" in page  # 1,700,000 / 1,800,000
    assert page.count("<svg") >= 4  # gauge, trend, category and service charts
    assert "2024-08" in page and "2025-01" in page  # the 6-month trend ends with the chosen month
    assert "99,999,999" not in page
    # anomalies with contributors: ERP +30 % (personnel +200,000 drove it), MES −50 %, GROUPWARE new
    assert "+30.0%" in page and "-50.0%" in page and "이번 달 새로 발생" in page
    assert "인건비 <strong>+₩200,000</strong>" in page
    # recommendations with money savings
    assert "유휴 서버" in page and "old-batch" in page and 'data-testid="total-saving">₩50,000<' in page
    # allocation table lists every service
    for service in ("MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER"):
        assert f'<span class="svc">{service}</span>' in page


def test_threshold_changes_the_anomaly_list(client, auth, month):
    auth.login("admin")
    page = client.get("/dashboard?year=2025&month=1&threshold=50").get_data(as_text=True)
    assert "-50.0%" in page and "+30.0%" not in page


@pytest.mark.parametrize("threshold", ["300", "4.9", "x"])
def test_bad_threshold_is_reported_and_the_default_used(client, auth, month, threshold):
    auth.login("pm")
    response = client.get(f"/dashboard?year=2025&month=1&threshold={threshold}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "threshold(기준): 5부터 200 사이" in page and "+30.0%" in page


def test_empty_month_and_no_budget(client, auth, tenant):
    auth.login("pm")
    page = client.get("/dashboard?year=2030&month=1").get_data(as_text=True)
    assert "₩0" in page and 'data-status="NO_BUDGET"' in page and "이 달의 비용 자료가 없습니다" in page


def test_staff_cannot_open_the_dashboard(client, auth, tenant):
    auth.login("staff")
    assert client.get("/dashboard").status_code == 403


def test_a_threshold_outside_the_usual_list_stays_selected(client, auth, month):
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=1&threshold=25").get_data(as_text=True)
    assert '<option value="25" selected>25%</option>' in page


def test_bad_month_is_reported_and_this_month_shown(client, auth, tenant):
    auth.login("pm")
    response = client.get("/dashboard?year=2025&month=13")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "1부터 12 사이" in page and 'data-testid="dashboard-total"' in page


def test_an_overspent_budget_says_how_much_is_over(client, auth, month):
    """1,700,000 spent against 1,500,000: "₩200,000 초과", never "잔액 ₩0" (dashboard and budgets page)."""
    from webapp.extensions import db
    from webapp.models import Budget

    budget = db.session.query(Budget).filter_by(tenant_id=month.id, year=2025, month=1, service="ALL").one()
    budget.amount = 1_500_000
    db.session.commit()
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=1").get_data(as_text=True)
    assert 'data-testid="budget-over">₩200,000 초과<' in page
    assert "잔액" not in page.split('data-testid="budget-gauge"')[1].split("</article>")[0]
    budgets = client.get("/budgets/?year=2025&month=1").get_data(as_text=True)
    row = budgets.split('id="budget-row-all"')[1].split("</tr>")[0]
    assert "₩200,000 초과" in row
    client.set_cookie("lang", "en")
    assert "₩200,000 over" in client.get("/dashboard?year=2025&month=1").get_data(as_text=True)


def test_the_month_navigation_stops_at_the_current_month(client, auth, month):
    from webapp.analytics import add_months, current_month

    year, this = current_month("Asia/Seoul")
    auth.login("pm")
    page = client.get(f"/dashboard?year={year}&month={this}").get_data(as_text=True)
    assert 'data-testid="no-next-month"' in page and 'rel="next"' not in page
    last_year, last_month = add_months(year, this, -1)
    earlier = client.get(f"/dashboard?year={last_year}&month={last_month}").get_data(as_text=True)
    assert f'href="/dashboard?year={year}&amp;month={this}" aria-label="다음 달" rel="next"' in earlier
    assert f'<option value="{year + 1}"' not in page  # no year after this one to pick


def test_a_future_month_is_plainly_empty_with_no_anomalies(client, auth, month):
    """Every service of the past months would be "−100 %" in a month that has not happened: none is shown."""
    from webapp.analytics import add_months, current_month

    year, this = current_month("Asia/Seoul")
    add_cost(month, *add_months(year, this, -1), "SERVER", "ERP", "1000000")
    add_cost(month, *add_months(year, this, -2), "SERVER", "ERP", "1000000")
    auth.login("pm")
    future_year, future_month = add_months(year, this, 1)
    page = client.get(f"/dashboard?year={future_year}&month={future_month}").get_data(as_text=True)
    assert 'data-testid="future-month"' in page
    assert "-100.0%" not in page and "심각" not in page


def test_the_trend_length_is_chosen_and_its_months_link_to_the_month(client, auth, month):
    auth.login("pm")
    default = client.get("/dashboard?year=2025&month=1").get_data(as_text=True)
    assert 'data-testid="trend-6"' in default and 'class="on" aria-current="true" data-testid="trend-6"' in default
    assert default.count('class="chart-link"') == 6
    assert '<a href="/dashboard?year=2024&amp;month=12" class="chart-link">' in default
    long = client.get("/dashboard?year=2025&month=1&months=24").get_data(as_text=True)
    assert "24개월 추이" in long and "2023-02" in long
    assert long.count('class="chart-link"') == 24
    # the month links and the picker keep the chosen length
    assert '<a href="/dashboard?year=2024&amp;month=12&amp;months=24" class="chart-link">' in long
    assert 'href="/dashboard?months=24&amp;year=2024&amp;month=12" aria-label="이전 달"' in long
    refused = client.get("/dashboard?year=2025&month=1&months=7")
    assert refused.status_code == 422
    assert "추이 기간: 6, 12, 24개월 중에서 고르세요." in refused.get_data(as_text=True)
