"""Drill-down: every amount on the dashboard links to the cost list of exactly its rows, and that list shows the same total."""

import html
import re
from collections import Counter

import pytest

from ..factories import add_cost, add_server

DRILL = re.compile(r"<a\b([^>]*\bdata-drill=\"([a-z]+)\"[^>]*)>(.*?)</a>", re.S)
HREF = re.compile(r'\bhref="([^"]+)"')
MONEY = re.compile(r"₩[\d,]+")
LIST_TOTAL = re.compile(r'data-testid="filtered-total">(₩[\d,]+)<')


@pytest.fixture
def month(tenant, other_tenant):
    """January 2025 over five services and five categories: every saving rule fires, GROUPWARE is new, MES spikes."""
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "LICENSE", "MES", "400000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1100000")
    add_cost(tenant, 2025, 1, "PERSONNEL", "ERP", "200000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "1000000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "500000")
    add_cost(tenant, 2025, 1, "MAINTENANCE", "MES", "300000")
    add_cost(tenant, 2025, 1, "NETWORK", "GROUPWARE", "100000")
    add_cost(tenant, 2025, 1, "MAINTENANCE", "GROUPWARE", "900000")
    idle = add_server(tenant, "old-batch", year=2025, month=1, cpu="3")
    add_cost(tenant, 2025, 1, "SERVER", "INFRA", "50000", server=idle)
    add_cost(tenant, 2025, 1, "SERVER", "INFRA", "70000")  # same service and category, no server
    add_cost(tenant, 2025, 2, "LICENSE", "MES", "777000")  # another month: never in January's lists
    add_cost(other_tenant, 2025, 1, "LICENSE", "MES", "99999999")
    return tenant


def drill_links(page: str) -> list[tuple[str, str, str]]:
    """(kind, href, the amount shown) of every drill-down link on the page."""
    links = []
    for attrs, kind, content in DRILL.findall(page):
        href = html.unescape(HREF.search(attrs).group(1))
        links.append((kind, href, MONEY.findall(content)[-1]))  # a bar's title and label come first, its value last
    return links


def test_every_dashboard_figure_links_to_a_list_with_the_same_total(client, auth, month):
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=1").get_data(as_text=True)
    links = drill_links(page)
    kinds = Counter(kind for kind, _href, _amount in links)
    # total; 5 category + 4 service bars; allocation: 4 services + 7 cells + total + 5 category totals;
    # anomalies; licence, maintenance, spike and idle-server recommendations
    assert kinds["total"] == 1 and kinds["bar"] == 9 and kinds["allocation"] == 4 + 7 + 1 + 5
    assert kinds["anomaly"] >= 1 and kinds["recommendation"] == 4
    for kind, href, shown in links:
        assert href.startswith("/costs/?") and "year=2025" in href and "month=1" in href, href
        answer = client.get(href)
        assert answer.status_code == 200, href
        assert LIST_TOTAL.findall(answer.get_data(as_text=True)) == [shown], f"{kind} {href}"


def test_the_lists_behind_the_figures_hold_exactly_their_rows(client, auth, month):
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=1").get_data(as_text=True)
    by_href = {href: shown for _kind, href, shown in drill_links(page)}
    expected = {
        "/costs/?year=2025&month=1": "₩4,220,000",
        "/costs/?year=2025&month=1&category=LICENSE": "₩1,500,000",
        "/costs/?year=2025&month=1&service=MES": "₩1,800,000",
        "/costs/?year=2025&month=1&service=INFRA&category=SERVER": "₩120,000",
    }
    for href, amount in expected.items():
        assert by_href[href] == amount, href
    idle = [href for kind, href, _shown in drill_links(page) if kind == "recommendation" and "server=" in href]
    assert len(idle) == 1 and by_href[idle[0]] == "₩50,000"  # the idle server's cost only, not all of INFRA
    assert 'data-testid="server-filter"' in client.get(idle[0]).get_data(as_text=True)
    anomaly = [href for kind, href, _shown in drill_links(page) if kind == "anomaly" and "GROUPWARE" in href]
    assert anomaly and by_href[anomaly[0]] == "₩1,000,000"


@pytest.mark.parametrize("server", ["x", "0", "-1", "99999999999999999999"])
def test_a_bad_server_filter_is_reported_and_not_applied(client, auth, month, server):
    auth.login("pm")
    answer = client.get(f"/costs/?year=2025&month=1&server={server}")
    assert answer.status_code == 422
    assert LIST_TOTAL.findall(answer.get_data(as_text=True)) == ["₩4,220,000"]
    assert client.get(f"/api/finops/costs?server={server}").status_code in (400, 422)


def test_a_server_filter_counts_the_entries_on_both_list_and_api(client, auth, month, db):
    from webapp.models import Server

    auth.login("pm")
    server_id = db.session.query(Server.id).filter_by(name="old-batch").scalar()
    answer = client.get(f"/api/finops/costs?server={server_id}").get_json()
    assert answer["total"] == 1 and answer["total_amount"] == 50000.0
    assert 'data-testid="filtered-total">₩50,000<' in client.get(f"/costs/totals?server={server_id}").get_data(as_text=True)
