"""The month summary with imported charge categories: credits, adjustments, tax and refunds apart, the total net."""

import json
import re
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from webapp.analytics import monthly_summary
from webapp.models import ApiToken, User

from ..factories import add_cost


@pytest.fixture
def billed(tenant, other_tenant):
    """March 2025: a FOCUS bill (credit, adjustment, tax, usage) and a typed-in cost; February typed in only."""
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "-1000", charge_category="Credit")
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "200", charge_category="Adjustment")
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "50", charge_category="Tax")
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "10000", charge_category="Usage")
    add_cost(tenant, 2025, 3, "LICENSE", "MES", "5000")
    add_cost(tenant, 2025, 2, "LICENSE", "MES", "7000")
    add_cost(other_tenant, 2025, 3, "SERVER", "ERP", "-99999", charge_category="Credit")
    return tenant


def test_summary_separates_credits_adjustments_and_tax(billed):
    summary = monthly_summary(billed.id, 2025, 3)
    assert summary["total_amount"] == D("14250.00")  # net, as before
    assert summary["item_count"] == 5
    assert summary["by_charge_category"] == {
        "Usage": D("10000.00"),
        "Tax": D("50.00"),
        "Credit": D("-1000.00"),
        "Adjustment": D("200.00"),
    }
    assert summary["charges_amount"] == D("15000.00")  # usage and the typed-in cost
    assert summary["credits_amount"] == D("-1000.00")
    assert summary["adjustments_amount"] == D("200.00")
    assert summary["tax_amount"] == D("50.00")
    assert summary["refunds_amount"] == D("0.00")
    parts = ("charges_amount", "credits_amount", "adjustments_amount", "tax_amount", "refunds_amount")
    assert sum(summary[key] for key in parts) == summary["total_amount"]


def test_month_without_charge_categories_has_an_empty_breakdown(billed):
    summary = monthly_summary(billed.id, 2025, 2)
    assert summary["total_amount"] == D("7000.00") and summary["by_charge_category"] == {}
    assert summary["charges_amount"] == D("7000.00") and summary["credits_amount"] == D("0.00")


def test_refunds_count_apart_from_charges(tenant):
    add_cost(tenant, 2025, 5, "SERVER", "ERP", "1000.50", charge_category="Usage")
    add_cost(tenant, 2025, 5, "STORAGE", "ERP", "-300.25", charge_category="Usage")
    add_cost(tenant, 2025, 5, "STORAGE", "ERP", "-10", charge_category="Tax")  # a tax correction stays in tax
    summary = monthly_summary(tenant.id, 2025, 5)
    assert summary["total_amount"] == D("690.25")
    assert summary["refunds_amount"] == D("-300.25") and summary["tax_amount"] == D("-10.00")
    assert summary["charges_amount"] == D("1000.50") and summary["by_charge_category"]["Usage"] == D("700.25")


def test_api_summary_adds_the_fields_as_money_numbers(client, db, billed):
    user = db.session.scalar(select_user(billed, "pm"))
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    response = client.get("/api/finops/summary?year=2025&month=3", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.get_json()
    # the SPEC §7 fields keep their names and order; the new ones follow item_count
    keys = list(json.loads(response.data))
    assert keys[:4] == ["year", "month", "period", "total_amount"]
    assert keys[keys.index("item_count") + 1 :] == [
        "by_charge_category",
        "charges_amount",
        "credits_amount",
        "adjustments_amount",
        "tax_amount",
        "refunds_amount",
    ]
    assert body["total_amount"] == 14250 and body["item_count"] == 5
    assert body["by_charge_category"] == {"Usage": 10000, "Tax": 50, "Credit": -1000, "Adjustment": 200}
    assert body["charges_amount"] == 15000 and body["credits_amount"] == -1000
    assert body["adjustments_amount"] == 200 and body["tax_amount"] == 50 and body["refunds_amount"] == 0
    assert re.search(r'"credits_amount": ?-1000[,}]', response.get_data(as_text=True))  # a number, not a string


def test_api_fractional_credit_is_a_number(client, db, tenant):
    add_cost(tenant, 2025, 6, "SERVER", "ERP", "100", charge_category="Usage")
    add_cost(tenant, 2025, 6, "SERVER", "ERP", "-12.5", charge_category="Credit")
    user = db.session.scalar(select_user(tenant, "pm"))
    _token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    body = client.get("/api/finops/summary?year=2025&month=6", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert body["credits_amount"] == -12.5 and body["by_charge_category"]["Credit"] == -12.5 and body["total_amount"] == 87.5


def select_user(tenant, username: str):
    return select(User).where(User.tenant_id == tenant.id, User.username == username)


def breakdown_lines(html: str) -> dict[str, str]:
    """{line key: amount shown} of the charge breakdown in a page."""
    block = re.search(r'<dl class="charge-breakdown".*?</dl>', html, re.S)
    if block is None:
        return {}
    return dict(re.findall(r'data-line="(\w+)"><dt>[^<]*</dt><dd[^>]*>([^<]*)</dd>', block.group(0)))


def test_dashboard_month_shows_each_part_and_the_net_total(client, auth, billed):
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=3").get_data(as_text=True)
    assert 'data-testid="dashboard-total">₩14,250<' in page
    assert breakdown_lines(page) == {
        "charges": "₩15,000",
        "credits": "-₩1,000",
        "adjustments": "₩200",
        "tax": "₩50",
        "net": "₩14,250",
    }
    assert "<dt>크레딧</dt>" in page and "<dt>순합계</dt>" in page
    client.set_cookie("lang", "en")
    english = client.get("/dashboard?year=2025&month=3").get_data(as_text=True)
    assert "<dt>Credits</dt>" in english and "<dt>Adjustments</dt>" in english and "<dt>Net total</dt>" in english
    assert "순합계" not in english and "크레딧" not in english


def test_dashboard_month_without_charge_categories_is_unchanged(client, auth, billed):
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=2").get_data(as_text=True)
    assert 'data-testid="dashboard-total">₩7,000<' in page and "charge-breakdown" not in page
