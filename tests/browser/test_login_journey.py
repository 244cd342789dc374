"""First journey: sign in as the demo PM, see the Korean shell, switch to English, sign out."""

from playwright.sync_api import expect


def test_sign_in_switch_language_sign_out(live_server, page, login, screenshot):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/login?next=/")
    expect(page.locator("h1")).to_have_text("IT 비용·보고 센터")
    expect(page.locator("#tenant")).to_have_value("demo")
    screenshot(page, "01-login-ko")

    page.fill("#username", "pm")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("올바르지 않습니다")

    login(page, "pm")
    expect(page.locator("nav.mainnav")).to_contain_text("대시보드")
    expect(page.locator("nav.mainnav")).to_contain_text("보고서")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    screenshot(page, "02-shell-ko")

    page.click(".usermenu .langswitch button[value=en]")
    expect(page.locator("nav.mainnav")).to_contain_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "03-shell-en")

    page.click(".usermenu summary")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator(".flash")).to_contain_text("You have signed out.")
    expect(page.locator("h1")).to_have_text("IT Cost & Report Center")  # English is remembered


def test_staff_sees_no_finops_menu(live_server, page, login):
    login(page, "staff")
    nav = page.locator("nav.mainnav")
    expect(nav).to_contain_text("보고서")
    expect(nav).not_to_contain_text("예산")
    response = page.goto(live_server.url + "/dashboard")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("권한이 없습니다")
