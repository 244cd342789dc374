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
