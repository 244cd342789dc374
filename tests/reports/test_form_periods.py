"""The on-demand form's period presets (computed in the tenant's zone) and the printable link carrying the period."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import Report
from webapp.reports.periods import PRESETS, preset_period, today_in

HX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("last_week", date(2026, 3, 11), (date(2026, 3, 2), date(2026, 3, 8))),  # a Wednesday
        ("last_week", date(2026, 3, 9), (date(2026, 3, 2), date(2026, 3, 8))),  # a Monday: the week before
        ("last_week", date(2026, 3, 15), (date(2026, 3, 2), date(2026, 3, 8))),  # a Sunday: still the week before
        ("last_week", date(2026, 1, 2), (date(2025, 12, 22), date(2025, 12, 28))),  # across the new year
        ("last_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),  # January → last December
        ("last_month", date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 29))),  # leap February
        ("last_quarter", date(2026, 2, 10), (date(2025, 10, 1), date(2025, 12, 31))),  # Q1 → last year's Q4
        ("last_quarter", date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("last_quarter", date(2026, 12, 31), (date(2026, 7, 1), date(2026, 9, 30))),
        ("this_month", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 1))),
        ("this_month", date(2026, 3, 20), (date(2026, 3, 1), date(2026, 3, 20))),
    ],
)
def test_preset_period(preset, today, expected):
    assert preset_period(preset, today) == expected
    assert preset_period(preset, datetime.combine(today, datetime.min.time())) == expected


def test_an_unknown_preset_names_the_allowed_ones():
    with pytest.raises(ValueError, match="last_week, last_month, last_quarter, this_month"):
        preset_period("yesterday", date(2026, 3, 1))


def test_form_offers_the_presets_with_their_dates(client, auth, tenant):
    auth.login("staff")
    today = today_in(tenant.timezone)
    page = client.get("/reports/").get_data(as_text=True)
    for label in ("지난주", "지난달", "지난 분기", "이번 달(오늘까지)", "직접 입력"):
        assert label in page
    for preset in PRESETS:
        start, end = preset_period(preset, today)
        assert f'data-testid="preset-{preset}">({start.isoformat()} ~ {end.isoformat()})' in page


def test_generating_with_a_preset_uses_its_dates(app, client, auth, tenant, db):
    auth.login("pm")
    response = client.post("/reports/", data={"template": "monthly_sla", "period": "last_quarter", "format": "excel"})
    assert response.status_code == 302
    wait_for_embedded_jobs()
    db.session.expire_all()
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert (report.period_start, report.period_end) == preset_period("last_quarter", today_in(tenant.timezone))


def print_href(html: str) -> str:
    return re.search(r'id="print-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_print_link_carries_the_chosen_period(client, auth, tenant):
    auth.login("pm")
    today = today_in(tenant.timezone)
    start, end = preset_period("last_month", today)
    # Without JavaScript the form page is rendered with the chosen values (a GET with the fields, or a refused POST).
    page = client.get("/reports/?template=monthly_sla&period=last_month").get_data(as_text=True)
    assert print_href(page) == f"/reports/print/monthly_sla?start={start.isoformat()}&end={end.isoformat()}"
    # htmx asks for the form when the period changes and swaps the link only.
    fragment = client.get(
        "/reports/?template=weekly_ops&period=custom&period_start=2026-01-05&period_end=2026-02-20",
        headers={**HX, "HX-Target": "print-link"},
    ).get_data(as_text=True)
    assert print_href(fragment) == "/reports/print/weekly_ops?start=2026-01-05&end=2026-02-20"
    # Incomplete or reversed custom dates: the link falls back to the default period.
    for query in ("period=custom&period_start=2026-02-20", "period=custom&period_start=2026-02-20&period_end=2026-01-01"):
        fragment = client.get(f"/reports/?template=weekly_ops&{query}", headers={**HX, "HX-Target": "print-link"})
        assert print_href(fragment.get_data(as_text=True)) == "/reports/print/weekly_ops"
    refused = client.post(
        "/reports/",
        data={
            "template": "monthly_sla",
            "period": "custom",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "format": "xx",
        },
    )
    assert refused.status_code == 422
    assert print_href(refused.get_data(as_text=True)) == "/reports/print/monthly_sla?start=2026-03-01&end=2026-03-31"
    assert client.get("/reports/print/monthly_sla?start=2026-03-01&end=2026-03-31").status_code == 200
