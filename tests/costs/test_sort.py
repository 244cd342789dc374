"""The cost list sorts by amount, period, category and service (ties in id order), with the filter and pages kept."""

import re

import pytest

from ..factories import add_cost


def codes_in(page: str) -> list[str]:
    return re.findall(r'data-label="코드"><code>([^<]+)</code>', page)


@pytest.fixture
def costs(tenant):
    return [
        add_cost(tenant, 2026, 1, "SERVER", "ERP", "300"),
        add_cost(tenant, 2026, 3, "LICENSE", "MES", "100"),
        add_cost(tenant, 2025, 12, "NETWORK", "GROUPWARE", "200"),
        add_cost(tenant, 2026, 2, "STORAGE", "BACKUP", "400"),
    ]


@pytest.mark.parametrize(
    "query, order",
    [
        ("sort=amount&dir=desc", [3, 0, 2, 1]),
        ("sort=amount&dir=asc", [1, 2, 0, 3]),
        ("sort=period&dir=asc", [2, 0, 3, 1]),
        ("sort=period&dir=desc", [1, 3, 0, 2]),
        ("sort=category&dir=asc", [1, 2, 0, 3]),  # LICENSE, NETWORK, SERVER, STORAGE
        ("sort=service&dir=desc", [1, 2, 0, 3]),  # MES, GROUPWARE, ERP, BACKUP
    ],
)
def test_each_column_sorts_both_ways(client, auth, costs, query, order):
    auth.login("pm")
    page = client.get(f"/costs/?{query}").get_data(as_text=True)
    assert codes_in(page) == [costs[i].code for i in order]


def test_headers_toggle_the_direction_and_keep_the_filter(client, auth, costs):
    auth.login("pm")
    page = client.get("/costs/?year=2026&sort=amount&dir=desc").get_data(as_text=True)
    header = re.search(r'<th class="sortable num" aria-sort="descending">\s*<a href="([^"]+)"', page)
    assert header and "year=2026" in header.group(1) and "sort=amount" in header.group(1) and "dir=asc" in header.group(1)
    assert codes_in(page) == [costs[3].code, costs[0].code, costs[1].code]  # December 2025 filtered out
    fragment = client.get("/costs/?year=2026&sort=amount&dir=asc", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert codes_in(fragment) == [costs[1].code, costs[0].code, costs[3].code]


def test_sorted_pages_neither_overlap_nor_skip(client, auth, tenant):
    made = [add_cost(tenant, 2026, 1 + n % 3, "SERVER", "ERP", "1000").code for n in range(30)]  # equal amounts: ties
    auth.login("pm")
    first = codes_in(client.get("/costs/?sort=amount&dir=desc").get_data(as_text=True))
    second = codes_in(client.get("/costs/?sort=amount&dir=desc&page=2").get_data(as_text=True))
    assert len(first) == 25 and len(second) == 5
    assert sorted(first + second) == sorted(made)


def test_a_bad_sort_is_named_and_the_default_order_kept(client, auth, costs):
    auth.login("pm")
    response = client.get("/costs/?sort=password&dir=sideways")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "정렬: period, amount, category, service 중에서 고르세요." in page
    assert "정렬 방향: asc 또는 desc 중에서 고르세요." in page
    assert len(codes_in(page)) == 4
