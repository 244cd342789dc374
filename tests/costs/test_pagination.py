"""Cost list pages: numbered pages found by seeking from the monthly rollup, in the same order as a plain ORDER BY.

Every page of every filter is compared with the list the database gives without any paging
trick (ORDER BY year, month, id descending), on SQLite and PostgreSQL, on the page and in the API.
"""

import re
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from webapp.costs.queries import CostFilter, cost_page, page_slices
from webapp.models import CostEntry

HX = {"HX-Request": "true"}
# (year, month, service, category, how many): months of very different sizes, some rows exact ties.
LAYOUT = [
    (2024, 11, "ERP", "SERVER", 12),
    (2024, 12, "ERP", "LICENSE", 9),
    (2024, 12, "MES", "SERVER", 21),
    (2025, 1, "MES", "LICENSE", 3),
    (2025, 3, "ERP", "SERVER", 17),
    (2025, 3, "MES", "SERVER", 15),
]
FILTERS = [
    {},
    {"service": "ERP"},
    {"category": "SERVER"},
    {"service": "MES", "category": "LICENSE"},
    {"year": 2024},
    {"year": 2024, "month": 12},
    {"month": 3},
    {"year": 2025, "service": "ERP", "category": "SERVER"},
    {"service": "OTHER"},
]


@pytest.fixture
def listed(db, tenant, other_tenant):
    """77 costs of acme in 5 months (ties: same month, service, category and amount), interleaved with another tenant's."""
    rows = [
        {
            "year": year,
            "month": month,
            "service": service,
            "category": category,
            "tenant_id": owner.id,
            "description": f"{owner.slug} {service} {category}",
        }
        for year, month, service, category, count in LAYOUT
        for _ in range(count)
        for owner in (tenant, other_tenant)
    ]
    db.session.execute(
        insert(CostEntry),
        [
            {**row, "code": f"COST-20250101-{number:06X}", "amount": D("1000.50"), "department": "IT"}
            for number, row in enumerate(rows, 1)
        ],
    )
    db.session.commit()
    return tenant


def plain_order(db, tenant, **where) -> list[str]:
    """The codes of the filtered list as one plain ORDER BY gives them (the reference)."""
    conditions = [getattr(CostEntry, name) == value for name, value in where.items()]
    return list(
        db.session.scalars(
            select(CostEntry.code)
            .where(CostEntry.tenant_id == tenant.id, *conditions)
            .order_by(CostEntry.year.desc(), CostEntry.month.desc(), CostEntry.id.desc())
        )
    )


def codes_on(html: str) -> list[str]:
    """The cost codes of the table rows, top to bottom."""
    return re.findall(r"<code>(COST-[0-9A-F-]+)</code>", html)


@pytest.mark.parametrize("where", FILTERS, ids=lambda where: "&".join(f"{k}={v}" for k, v in where.items()) or "all")
def test_every_page_of_every_filter_is_the_plain_order_cut_in_pages(db, listed, where):
    expected = plain_order(db, listed, **where)
    costs = CostFilter(**where)
    for per_page in (1, 7, 25, 100):
        first = cost_page(listed.id, costs, 1, per_page)
        assert first.total == len(expected) and first.total_amount == D("1000.50") * len(expected)
        assert first.pages == max(1, -(-len(expected) // per_page))
        seen = []
        for number in range(1, first.pages + 1):
            page = cost_page(listed.id, costs, number, per_page)
            assert page.page == number and len(page.items) == min(per_page, len(expected) - (number - 1) * per_page)
            seen += [entry.code for entry in page.items]
        assert seen == expected, f"per_page={per_page}"


def test_pages_for_people_with_previous_next_and_the_filter_kept(client, auth, db, listed):
    auth.login("pm")
    expected = plain_order(db, listed, service="ERP")  # 38 costs: two pages
    html = client.get("/costs/?service=ERP&page=2").get_data(as_text=True)
    assert "2쪽 중 2쪽" in html and "38건" in html and "₩38,019" in html
    assert codes_on(html) == expected[25:]
    assert re.search(r'href="/costs/\?[^"]*page=1[^"]*"', html) and "service=ERP" in html
    fragment = client.get("/costs/?service=ERP&page=1", headers=HX).get_data(as_text=True)
    assert codes_on(fragment) == expected[:25] and "<html" not in fragment
    assert re.search(r'href="/costs/\?[^"]*page=2', fragment)


@pytest.mark.parametrize("asked, shown", [("99", 4), ("4", 4), ("0", 1), ("-3", 1), ("abc", 1), ("", 1)])
def test_a_page_outside_the_list_shows_the_nearest_page(client, auth, db, listed, asked, shown):
    auth.login("pm")
    expected = plain_order(db, listed)  # 77 costs: pages of 25, 25, 25, 2
    html = client.get(f"/costs/?page={asked}").get_data(as_text=True)
    assert f"4쪽 중 {shown}쪽" in html
    assert codes_on(html) == expected[(shown - 1) * 25 : shown * 25]


def test_the_api_reads_the_same_pages(client, auth, db, listed):
    auth.login("pm")
    expected = plain_order(db, listed, year=2024)
    seen, page = [], 1
    while True:
        answer = client.get(f"/api/finops/costs?year=2024&per_page=10&page={page}").get_json()
        assert answer["total"] == len(expected) == 42 and answer["pages"] == 5 and answer["page"] == page
        assert answer["total_amount"] == float(D("1000.50") * 42)
        seen += [item["code"] for item in answer["items"]]
        if page == answer["pages"]:
            break
        page += 1
    assert seen == expected


def test_an_empty_list_is_one_empty_page(client, auth, tenant):
    auth.login("pm")
    page = cost_page(tenant.id, CostFilter(), 3)
    assert (page.page, page.pages, page.total, page.items) == (1, 1, 0, [])
    assert "등록된 비용이 없습니다" in client.get("/costs/?page=3").get_data(as_text=True)


@given(counts=st.lists(st.integers(0, 40), max_size=15), offset=st.integers(0, 400), limit=st.integers(1, 60))
def test_page_slices_pick_exactly_the_rows_asked_for(counts, offset, limit):
    months = [(2025 - index // 12, 12 - index % 12, count, D(0)) for index, count in enumerate(counts)]
    every_row = [(year, month, position) for year, month, count, _amount in months for position in range(count)]
    slices = page_slices(months, offset, limit)
    picked = [(part.year, part.month, part.skip + position) for part in slices for position in range(part.take)]
    assert picked == every_row[offset : offset + limit]
    sizes = {(year, month): count for year, month, count, _amount in months}
    assert all(part.count == sizes[part.year, part.month] and part.after >= 0 for part in slices)
