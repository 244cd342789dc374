"""Report periods of SPEC §5.2: on-demand defaults and the last complete period for scheduled runs."""

from datetime import date

import pytest

from webapp.reports.periods import utc_bounds
from webapp.reports.service import ReportRequestError, default_period, last_complete_period


@pytest.mark.parametrize(
    ("template", "today", "expected"),
    [
        ("weekly_ops", date(2026, 3, 10), (date(2026, 3, 3), date(2026, 3, 10))),
        ("weekly_ops", date(2026, 1, 3), (date(2025, 12, 27), date(2026, 1, 3))),
        ("monthly_sla", date(2026, 3, 10), (date(2026, 3, 1), date(2026, 3, 10))),
        ("monthly_cost", date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        ("incident_rca", date(2026, 2, 28), (date(2026, 2, 1), date(2026, 2, 28))),
        ("capacity_plan", date(2026, 5, 20), (date(2026, 4, 1), date(2026, 5, 20))),
        ("capacity_plan", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_default_period(template, today, expected):
    assert default_period(template, today) == expected


@pytest.mark.parametrize(
    ("template", "run_date", "expected"),
    [
        ("weekly_ops", date(2026, 3, 9), (date(2026, 3, 2), date(2026, 3, 8))),
        ("monthly_sla", date(2026, 3, 1), (date(2026, 2, 1), date(2026, 2, 28))),
        ("monthly_sla", date(2024, 3, 15), (date(2024, 2, 1), date(2024, 2, 29))),
        ("monthly_cost", date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 31))),
        ("capacity_plan", date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("capacity_plan", date(2026, 2, 10), (date(2025, 10, 1), date(2025, 12, 31))),
    ],
)
def test_last_complete_period(template, run_date, expected):
    assert last_complete_period(template, run_date) == expected


def test_unknown_template_names_the_allowed_codes(bare_app):
    with pytest.raises(ReportRequestError) as error:
        default_period("weekly", date(2026, 3, 1))
    assert "weekly_ops" in str(error.value) and "capacity_plan" in str(error.value)


def test_the_end_day_counts_whole_in_the_tenant_zone():
    lower, upper = utc_bounds(date(2026, 3, 1), date(2026, 3, 31), "Asia/Seoul")
    assert lower.isoformat() == "2026-02-28T15:00:00+00:00"
    assert upper.isoformat() == "2026-03-31T15:00:00+00:00"
