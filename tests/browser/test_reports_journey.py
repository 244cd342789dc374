"""Reports journey: generate a PDF, watch its row change from queued to done without a reload, download it."""

import subprocess

from playwright.sync_api import expect


def settled(page):
    """Wait until htmx has finished every request, swap and settle (new content is live again)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def test_generate_watch_and_download_a_pdf_report(live_server, page, login, screenshot):
    login(page, "staff")
    page.goto(live_server.url + "/reports/")
    expect(page.locator("h1")).to_have_text("보고서")

    page.select_option("#template", "incident_rca")  # htmx swaps the form: incident analysis is PDF only
    expect(page.locator("#format option")).to_have_count(1)
    expect(page.locator("#format")).to_have_value("pdf")
    settled(page)
    page.select_option("#template", "monthly_sla")
    expect(page.locator("#format option")).to_have_count(2)
    settled(page)
    page.select_option("#format", "pdf")
    page.check("input[name=period][value=custom]")
    page.fill("#period_start", "2026-10-01")
    page.fill("#period_end", "2026-10-31")
    screenshot(page, "reports-01-form")

    # Record every status the newest row shows; the variable survives only if the page is never reloaded.
    page.evaluate("""() => {
        window.__statuses = [];
        new MutationObserver(() => {
            const row = document.querySelector('#report-rows tr[data-status]');
            const last = window.__statuses[window.__statuses.length - 1];
            if (row && row.dataset.status !== last) window.__statuses.push(row.dataset.status);
        }).observe(document.querySelector('main'), {subtree: true, childList: true, attributes: true});
    }""")
    page.click("[data-testid=generate]")
    row = page.locator("#report-rows tr").first
    expect(row).to_contain_text("2026-10-01 ~ 2026-10-31")
    screenshot(page, "reports-02-queued")
    expect(row.locator("[data-testid=download]")).to_be_visible(timeout=60_000)
    expect(row).to_have_attribute("data-status", "DONE")
    statuses = page.evaluate("window.__statuses")
    assert statuses[0] in ("QUEUED", "RUNNING") and statuses[-1] == "DONE", statuses
    screenshot(page, "reports-03-done")

    with page.expect_download() as download_info:
        row.locator("[data-testid=download]").click()
    download = download_info.value
    assert download.suggested_filename == "월간_SLA_보고서_2026-10-01_2026-10-31.pdf"
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "2026-10-01 ~ 2026-10-31" in text and "월간 SLA 보고서" in text


def test_invalid_period_shows_the_error_in_place(live_server, page, login):
    login(page, "pm")
    page.goto(live_server.url + "/reports/")
    page.check("input[name=period][value=custom]")
    page.fill("#period_start", "2026-10-31")
    page.fill("#period_end", "2026-10-01")
    page.click("[data-testid=generate]")
    expect(page.locator("#report-form .error")).to_contain_text("종료일(2026-10-01)보다 늦습니다")
    expect(page.locator("#period_start")).to_have_value("2026-10-31")  # what was typed is kept
