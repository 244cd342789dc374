"""Account journey: two browsers signed in as the PM; a password change signs the other out; sign out everywhere."""

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORDS

NEW_PASSWORD = "a-new-demo-pass-7"


def test_password_change_and_sign_out_everywhere(live_server, new_context, login, screenshot):
    office = login(new_context().new_page(), "pm")
    laptop = new_context().new_page()
    laptop.goto(f"{live_server.url}/login")
    laptop.fill("#tenant", "demo")
    laptop.fill("#username", "pm")
    laptop.fill("#password", DEMO_PASSWORDS["pm"])
    laptop.check("#remember")
    laptop.click("button[type=submit]")
    expect(laptop.locator("nav.mainnav")).to_contain_text("대시보드")

    office.click(".usermenu summary")
    office.click("text=내 계정")
    expect(office.locator("h1")).to_have_text("내 계정")
    sessions = office.locator("[data-testid=sessions] tbody tr")
    expect(sessions).to_have_count(2)
    expect(office.locator("[data-testid=sessions]")).to_contain_text("이 브라우저")
    expect(office.locator("[data-testid=sessions]")).to_contain_text("로그인 유지")
    screenshot(office, "account-sessions")

    office.fill("#current_password", DEMO_PASSWORDS["pm"])
    office.fill("#new_password", NEW_PASSWORD)
    office.fill("#confirm_password", NEW_PASSWORD + "-typo")
    office.click("[data-testid=password-form] button[type=submit]")
    expect(office.locator(".field-confirm_password .error")).to_contain_text("두 새 비밀번호가 다릅니다")
    office.fill("#current_password", DEMO_PASSWORDS["pm"])
    office.fill("#new_password", NEW_PASSWORD)
    office.fill("#confirm_password", NEW_PASSWORD)
    office.click("[data-testid=password-form] button[type=submit]")
    expect(office.locator(".flash")).to_contain_text("다른 세션 1개")
    expect(sessions).to_have_count(1)

    laptop.goto(f"{live_server.url}/costs/")
    expect(laptop).to_have_url(f"{live_server.url}/login?next=/costs/")

    office.click("[data-testid=sign-out-everywhere]")
    expect(office).to_have_url(f"{live_server.url}/login")
    expect(office.locator(".flash")).to_contain_text("모든 곳에서 로그아웃했습니다")
    office.goto(f"{live_server.url}/costs/")
    expect(office).to_have_url(f"{live_server.url}/login?next=/costs/")


def test_a_new_token_is_copied_with_one_click(live_server, new_context, login, screenshot):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = login(context.new_page(), "admin")
    page.goto(f"{live_server.url}/account/tokens")
    page.fill("#name", "ITSM 연동")
    page.click("form.inline-form button[type=submit]")
    token = page.locator("[data-testid=new-token]").inner_text().strip()
    assert len(token) > 20
    button = page.locator("button[data-copy]")
    expect(button).to_be_visible()
    expect(button).to_have_text("복사")
    button.click()
    expect(button).to_have_text("복사됨")
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "token-copied")


def test_without_javascript_the_token_is_shown_and_no_dead_button(live_server, new_context, login):
    page = login(new_context(java_script_enabled=False).new_page(), "admin")
    page.goto(f"{live_server.url}/account/tokens")
    page.fill("#name", "스크립트 없이")
    page.click("form.inline-form button[type=submit]")
    expect(page.locator("[data-testid=new-token]")).to_be_visible()
    expect(page.locator("button[data-copy]")).to_be_hidden()
