"""AI analysis on the dashboard: the button starts it, the area shows progress, then the model's answer, escaped."""

from playwright.sync_api import expect

from ..advice.fake_llm import FakeLLM


def test_ai_button_shows_progress_then_the_answer(live_server, page, login, screenshot):
    fake = FakeLLM(
        delay=2.0,
        reply=(
            "이번 달 비용 구조를 보면 라이선스 비중이 높습니다.\n\n"
            "1. 보안 라이선스 사용 현황을 점검해 미사용분을 회수하세요.\n"
            "2. 유휴 서버를 통합하세요.\n"
            "3. <script>alert('x')</script> 유지보수 계약을 재협상하세요."
        ),
    ).start()
    live_server.app.config.update(LLM_PROVIDER="ollama", OLLAMA_URL=fake.url, OLLAMA_MODEL="llama3", OLLAMA_TIMEOUT=10)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        login(page, "pm")
        page.goto(live_server.url + "/dashboard")
        area = page.locator("#advice")
        expect(area).to_have_attribute("data-state", "none")
        page.click("[data-testid=advice-ask]")
        expect(area).to_have_attribute("data-state", "pending")
        expect(page.locator("[data-testid=advice-progress]")).to_be_visible()
        area.scroll_into_view_if_needed()
        screenshot(page, "advice-01-progress")
        expect(area).to_have_attribute("data-state", "done", timeout=20_000)
        expect(area.locator("[data-testid=advice-llm-used]")).to_contain_text("ollama/llama3")
        items = area.locator(".advice-text ol li")
        expect(items).to_have_count(3)
        expect(items.nth(2)).to_contain_text("<script>alert('x')</script> 유지보수 계약")  # shown as text, never run
        expect(area).to_contain_text("AI 조언은 참고용입니다")
        assert dialogs == []
        assert page.url.endswith("/dashboard")  # no reload, no navigation
        area.scroll_into_view_if_needed()
        screenshot(page, "advice-02-answer")

        page.reload()  # the answer is kept for the month's figures
        expect(area).to_have_attribute("data-state", "done")
        expect(page.locator("[data-testid=advice-again]")).to_be_visible()
        assert len(fake.requests) == 1
    finally:
        fake.stop()
