"""What STAFF sees on the reports page: only the SR-based templates, and no cost report a manager made."""

from playwright.sync_api import expect

SR_LABELS = ["주간 운영 보고서", "월간 SLA 보고서", "인시던트 분석"]
ALL_LABELS = SR_LABELS + ["용량 계획 보고서", "월간 IT 비용 보고서"]


def test_staff_sees_only_the_templates_of_their_role(live_server, page, new_context, login, screenshot):
    manager = new_context().new_page()
    login(manager, "pm")
    manager.goto(live_server.url + "/reports/")
    expect(manager.locator("#template option")).to_have_text(ALL_LABELS)
    manager.select_option("#template", "monthly_cost")
    expect(manager.locator("#format option")).to_have_count(2)
    manager.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    manager.click("[data-testid=generate]")
    cost_row = manager.locator("#report-rows tr").first
    expect(cost_row).to_contain_text("월간 IT 비용 보고서")
    expect(cost_row.locator("[data-testid=download]")).to_be_visible(timeout=60_000)
    screenshot(manager, "report-roles-01-pm")

    login(page, "staff")
    page.goto(live_server.url + "/reports/")
    expect(page.locator("#template option")).to_have_text(SR_LABELS)
    expect(page.locator("#report-list")).not_to_contain_text("월간 IT 비용 보고서")
    expect(page.locator("#report-list")).not_to_contain_text("용량 계획 보고서")
    screenshot(page, "report-roles-02-staff")

    response = page.goto(live_server.url + "/reports/print/monthly_cost")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("ADMIN, PM")
    screenshot(page, "report-roles-03-staff-print-refused")
