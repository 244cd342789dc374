"""Budget year view: from the month page to the year, pick a service, and copy this year's budgets into next year."""

from playwright.sync_api import expect

from webapp.analytics.periods import current_month
from webapp.budgets.alerts import check_every_tenant
from webapp.jobs import wait_for_embedded_jobs


def test_year_view_and_copy_into_next_year(live_server, page, login, screenshot):
    this_year, this_month = current_month("Asia/Seoul")
    with live_server.app.app_context():  # the daily check: the demo month is over its budget
        assert check_every_tenant() >= 1
        wait_for_embedded_jobs(timeout=30)
    login(page, "admin")
    page.goto(live_server.url + "/budgets/")
    page.click("[data-testid=year-view-link]")
    expect(page.locator("h1")).to_contain_text(f"{this_year}년")
    summary = page.locator("[data-testid=year-summary]")
    expect(summary).to_have_attribute("data-scope", "ALL")
    expect(page.locator("[data-testid=forecast-method]")).not_to_be_empty()
    rows = page.locator("table.year-matrix tbody tr")
    expect(rows.first).to_have_attribute("data-scope", "ALL")
    assert rows.count() >= 2  # the demo also budgets ERP, MES and SECURITY
    alerts = page.locator("[data-testid=budget-alerts] .alert-item")
    assert alerts.count() >= 1
    expect(alerts.first).to_contain_text("발송")  # who was told, and that the e-mail went out
    screenshot(page, "budget-year-01-all")

    page.click("table.year-matrix tbody tr[data-scope=ERP] th a")
    expect(summary).to_have_attribute("data-scope", "ERP")
    screenshot(page, "budget-year-02-erp")

    page.click("a[rel=next]")
    expect(page.locator("h1")).to_contain_text(f"{this_year + 1}년")
    expect(page.locator("table.year-matrix tbody tr")).to_have_count(1)  # nothing budgeted yet
    page.fill("#scale_pct", "5")
    page.click("[data-testid=copy-budgets]")
    expect(page.locator(".flash-success")).to_contain_text(f"{this_year}년의 월 예산")
    expect(page.locator(".flash-success")).to_contain_text(f"{this_year + 1}년으로 복사했습니다(+5%)")
    assert page.locator("table.year-matrix tbody tr").count() >= 2
    expect(page.locator("[data-testid=annual-budget]")).not_to_have_text("설정 안 됨")
    screenshot(page, "budget-year-03-copied")

    page.goto(f"{live_server.url}/dashboard?year={this_year}&month={this_month}")
    expect(page.locator("[data-testid=budget-alerts]")).to_contain_text(f"{this_year}-{this_month:02d} 예산의")
    screenshot(page, "budget-year-04-dashboard-alerts")
