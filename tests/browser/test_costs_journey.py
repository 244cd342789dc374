"""Costs journey: filter, add (after a validation error), edit in place, delete — and the dashboard follows."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect


def dashboard_figures(page, base_url):
    """(total text, budget status, gauge percentage text) of the current month's dashboard."""
    page.goto(base_url + "/dashboard")
    total = page.locator("[data-testid=dashboard-total]").inner_text()
    gauge = page.locator("[data-testid=budget-gauge]")
    return total, gauge.get_attribute("data-status"), gauge.get_attribute("data-usage")


def won(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_filter_add_edit_delete_and_dashboard_follows(live_server, page, login, screenshot):
    base = live_server.url
    now = datetime.now(ZoneInfo("Asia/Seoul"))
    login(page, "pm")
    total_before, status_before, gauge_before = dashboard_figures(page, base)
    assert status_before in ("OK", "WARNING")
    screenshot(page, "costs-01-dashboard-before")

    # filter: the table fragment is swapped in place and the address keeps the filter
    page.goto(base + "/costs/")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#f-year", str(now.year))
    page.select_option("#f-month", str(now.month))
    page.select_option("#f-service", "SECURITY")
    expect(page).to_have_url(re.compile(r"service=SECURITY"))
    expect(page.locator("#cost-table")).to_contain_text("SECURITY")
    expect(page.locator("#cost-table tbody")).not_to_contain_text("GROUPWARE")
    assert page.evaluate("window.__sameDocument") is True  # no full reload
    filtered_total = won(page.locator("[data-testid=filtered-total]").inner_text())
    screenshot(page, "costs-02-filtered")

    # add: the form is folded above a non-empty list; a negative amount is refused next to the field, what was typed kept
    expect(page.locator("#cost-form")).to_be_hidden()
    page.locator("[data-testid=add-cost] > summary").click()
    form = page.locator("#cost-form")
    form.locator("#category").select_option("LICENSE")
    form.locator("#service").select_option("SECURITY")
    form.locator("#amount").fill("-5000")
    form.locator("#description").fill("브라우저 여정 보안 라이선스")
    form.locator("button[type=submit]").click()
    expect(page.locator("#amount-error")).to_contain_text("0 이상")
    expect(page.locator("#description")).to_have_value("브라우저 여정 보안 라이선스")
    screenshot(page, "costs-03-validation-error")
    page.locator("#amount").fill("9,000,000")
    page.locator("#cost-form button[type=submit]").click()
    expect(page.locator("#cost-form .notice")).to_contain_text("추가했습니다")
    row = page.locator("#cost-table tr", has_text="브라우저 여정 보안 라이선스")
    expect(row).to_contain_text("₩9,000,000")
    expect(page.locator("[data-testid=filtered-total]")).to_have_text(f"₩{filtered_total + 9_000_000:,}")
    assert page.evaluate("window.__sameDocument") is True

    # edit in place: the row turns into inputs, a bad amount is refused in the row, then saved
    row.get_by_role("link", name="수정").click()
    editing = page.locator("#cost-table tr.editing")
    expect(editing).to_be_visible()
    editing.locator("input[name=amount]").fill("abc")
    editing.get_by_role("button", name="저장").click()
    expect(page.locator("#cost-table tr.editing .error")).to_contain_text("숫자가 아닙니다")
    page.locator("#cost-table tr.editing input[name=amount]").fill("12000000")
    page.locator("#cost-table tr.editing").get_by_role("button", name="저장").click()
    row = page.locator("#cost-table tr", has_text="브라우저 여정 보안 라이선스")
    expect(row).to_contain_text("₩12,000,000")
    expect(page.locator("#cost-table tr.editing")).to_have_count(0)
    expect(page.locator("[data-testid=filtered-total]")).to_have_text(f"₩{filtered_total + 12_000_000:,}")
    screenshot(page, "costs-04-edited")

    # the dashboard follows: total up by 12,000,000, the gauge moves and turns OVER
    total_after, status_after, gauge_after = dashboard_figures(page, base)
    assert won(total_after) == won(total_before) + 12_000_000
    assert status_after == "OVER" and gauge_after != gauge_before
    screenshot(page, "costs-05-dashboard-after")

    # delete with confirmation: the row goes, and so does its effect on the dashboard
    page.goto(base + f"/costs/?year={now.year}&month={now.month}&service=SECURITY")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cost-table tr", has_text="브라우저 여정 보안 라이선스").get_by_role("link", name="삭제").click()
    expect(page.locator("#cost-table tr", has_text="브라우저 여정 보안 라이선스")).to_have_count(0)
    expect(page.locator("[data-testid=filtered-total]")).to_have_text(f"₩{filtered_total:,}")
    assert dashboard_figures(page, base) == (total_before, status_before, gauge_before)


def test_costs_page_works_without_javascript(live_server, new_context, login):
    page = new_context(java_script_enabled=False).new_page()
    login(page, "admin")
    page.goto(live_server.url + "/costs/")
    page.select_option("#f-service", "BACKUP")
    page.click(".filterbar button[type=submit]")
    expect(page).to_have_url(re.compile(r"service=BACKUP"))
    expect(page.locator("#cost-table tbody")).not_to_contain_text("ERP")
    page.locator("#cost-table tbody tr").first.get_by_role("link", name="삭제").click()
    expect(page.locator("h1")).to_contain_text("비용 삭제")
    page.get_by_role("link", name="취소").click()
    expect(page.locator("#cost-table")).to_be_visible()
