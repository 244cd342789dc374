"""Schedules journey: create a schedule watching the cron preview change as you type, run it now, then open
the e-mailed link (read from the outbox folder) in a fresh browser context that has no session."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.schedules import outbox


def newest_mail_to(live_server, address):
    """The latest outbox message addressed to `address`, read back as the admin outbox page reads it."""
    with live_server.app.app_context():
        return next((message for message in outbox.list_messages() if message.to == address), None)


def test_create_schedule_run_now_and_open_the_emailed_link(live_server, page, login, new_context, screenshot, tmp_path):
    login(page, "pm")
    page.click("nav.mainnav >> text=스케줄")
    expect(page.locator("h1")).to_have_text("보고서 스케줄")
    page.click("[data-testid=new-schedule]")

    page.fill("#name", "정보화책임관 주간 보고")
    page.select_option("#template", "weekly_ops")
    preview = page.locator("#cron-preview")
    expect(preview.locator("[data-testid=cron-description]")).to_have_text("매주 월요일 09:00에")  # the default
    page.fill("#cron", "")
    page.type("#cron", "*/15 * * * *", delay=20)
    expect(preview.locator("[data-testid=cron-description]")).to_have_text("매일 15분마다")
    expect(preview.locator("[data-testid=next-runs] li")).to_have_count(5)
    page.fill("#cron", "0 9 * * 9")
    expect(preview.locator("[data-testid=cron-error]")).to_contain_text("'요일' 필드")
    screenshot(page, "schedules-01-cron-error")
    page.fill("#cron", "30 8 * * 1-5")
    expect(preview.locator("[data-testid=cron-description]")).to_have_text("평일(월~금) 08:30에")
    page.fill("#timezone", "America/New_York")
    expect(preview.locator("[data-testid=next-runs]")).to_contain_text("E")  # EST/EDT, the schedule's zone

    page.select_option("#template", "capacity_plan")  # Excel only: the format list follows the template
    expect(page.locator("#format option")).to_have_count(1)
    page.select_option("#template", "weekly_ops")
    expect(page.locator("#format option")).to_have_count(2)
    page.select_option("#format", "pdf")
    page.fill("#recipients", "not-an-address")
    page.click("[data-testid=save-schedule]")
    expect(page.locator("#recipients-error")).to_contain_text("not-an-address")
    expect(page.locator("#cron")).to_have_value("30 8 * * 1-5")  # what was typed is kept
    page.fill("#recipients", "boss@example.kr")
    screenshot(page, "schedules-02-form")
    page.click("[data-testid=save-schedule]")

    expect(page.locator("h1")).to_have_text("정보화책임관 주간 보고")
    expect(page.locator(".lead")).to_contain_text("평일(월~금) 08:30에")
    page.click("[data-testid=run-now]")
    history = page.locator("#run-history")
    expect(history.locator("tbody tr").first.locator("[data-status=DONE]")).to_be_visible(timeout=60_000)
    expect(history.locator(".delivery[data-status=SENT]")).to_contain_text("boss@example.kr", timeout=30_000)
    screenshot(page, "schedules-03-history")

    page.goto(live_server.url + "/schedules/")
    expect(page.locator("#schedules")).to_contain_text("정보화책임관 주간 보고")
    screenshot(page, "schedules-04-list")

    message = newest_mail_to(live_server, "boss@example.kr")
    assert message is not None and "주간 운영 보고서" in message.subject
    link = re.search(r"(http://127\.0\.0\.1:\d+/r/[\w.\-]+)", message.text).group(1)

    visitor = new_context().new_page()  # no session: a recipient who is not a user
    with visitor.expect_download() as download_info:
        visitor.evaluate("url => { window.location.href = url; }", link)
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    from webapp.extensions import db
    from webapp.models import Report

    with live_server.app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        expected = report.content
        db.session.remove()
    assert saved.read_bytes() == expected and saved.read_bytes().startswith(b"%PDF")

    visitor.goto(link[:-3] + "xyz")
    expect(visitor.locator("[data-testid=link-refused]")).to_have_text("올바르지 않은 다운로드 링크입니다.")
    screenshot(visitor, "schedules-05-link-refused")


def test_admin_reads_the_outbox(live_server, page, login, screenshot):
    login(page, "admin")
    page.goto(live_server.url + "/admin/outbox")
    expect(page.locator("h1")).to_have_text("발신함")
    screenshot(page, "schedules-06-outbox")
    links = page.locator("[data-testid=outbox-message]")
    if links.count():
        links.first.click()
        expect(page.locator("[data-testid=mail-body]")).to_contain_text("/r/")
        screenshot(page, "schedules-07-outbox-message")
