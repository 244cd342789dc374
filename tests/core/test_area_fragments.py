"""Page or fragment in every area: one rule (webapp/htmx.py), and Vary names every header it reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.htmx import VARY_HEADERS
from webapp.models import User, utcnow
from webapp.models.schedules import ReportSchedule

HX = {"HX-Request": "true"}


@pytest.fixture
def schedule_id(db, tenant):
    owner = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.role == "PM"))
    schedule = ReportSchedule(
        tenant_id=tenant.id,
        name="",
        template="weekly_ops",
        cron="0 9 * * 1",
        timezone="Asia/Seoul",
        format="excel",
        recipients=["cio@example.kr"],
        active=True,
        skip_when_empty=False,
        owner_id=owner.id,
        next_run_at=utcnow() + timedelta(days=1),
    )
    db.session.add(schedule)
    db.session.commit()
    return schedule.id


def _get(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, headers, response.status_code)
    assert set(VARY_HEADERS) <= set(response.vary), (url, response.vary)
    return response.get_data(as_text=True)


# (url, htmx headers that swap a region, the region's opening tag)
SWAPS = [
    ("/costs/", {}, 'id="cost-table"'),
    ("/costs/?page=1", {"HX-Boosted": "true", "HX-Target": "cost-table"}, 'id="cost-table"'),  # the boosted pager
    ("/budgets/", {}, 'id="budget-table"'),
    ("/service-requests/", {"HX-Target": "sr-list"}, 'id="sr-list"'),
    ("/schedules/new?template=capacity_plan", {"HX-Target": "format-field"}, 'id="format-field"'),
    ("/schedules/preview?cron=0+9+*+*+1&timezone=Asia/Seoul", {}, 'id="cron-preview"'),
    ("/schedules/{schedule_id}", {"HX-Target": "run-history"}, 'id="run-history"'),
]


@pytest.mark.parametrize("url, swap, marker", SWAPS)
def test_an_htmx_swap_gets_the_fragment_and_the_rest_get_the_page(client, auth, tenant, schedule_id, url, swap, marker):
    auth.login("admin")
    url = url.format(schedule_id=schedule_id)
    fragment = _get(client, url, {**HX, **swap})
    assert "<html" not in fragment and marker in fragment
    for others in ({}, {**HX, **swap, "HX-History-Restore-Request": "true"}, {**HX, "HX-Boosted": "true"}):
        page = _get(client, url, others)
        assert "<html" in page and marker in page, others


def test_a_swap_of_another_region_gets_the_page(client, auth, tenant, schedule_id):
    auth.login("admin")
    assert "<html" in _get(client, "/service-requests/", HX)  # only #sr-list is a fragment of the SR page
    assert "<html" in _get(client, f"/schedules/{schedule_id}", HX)
