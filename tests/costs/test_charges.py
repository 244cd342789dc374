"""Imported charge categories on the cost list: a label on each entry, and the net total's breakdown for the filter."""

import re
from decimal import Decimal

import pytest

from ..factories import add_cost

HX = {"HX-Request": "true"}


@pytest.fixture
def billed(tenant, other_tenant):
    """March 2025 of a FOCUS bill (credit, adjustment, tax, usage) and a typed-in cost; February typed in only."""
    return {
        "credit": add_cost(tenant, 2025, 3, "SERVER", "ERP", "-1000", description="Cloud credit", charge_category="Credit"),
        "adjustment": add_cost(tenant, 2025, 3, "SERVER", "ERP", "200", description="Adjusted", charge_category="Adjustment"),
        "tax": add_cost(tenant, 2025, 3, "SERVER", "ERP", "50", description="VAT", charge_category="Tax"),
        "usage": add_cost(tenant, 2025, 3, "SERVER", "ERP", "10000", description="Compute", charge_category="Usage"),
        "typed": add_cost(tenant, 2025, 3, "LICENSE", "MES", "5000", description="MES licence"),
        "february": add_cost(tenant, 2025, 2, "LICENSE", "MES", "7000", description="February licence"),
        # another tenant's credit must change nothing here
        "other": add_cost(other_tenant, 2025, 3, "SERVER", "ERP", "-99999", charge_category="Credit"),
    }


def breakdown_lines(html: str) -> dict[str, str]:
    """{line key: amount shown} of the charge breakdown in a page or fragment."""
    block = re.search(r'<dl class="charge-breakdown".*?</dl>', html, re.S)
    if block is None:
        return {}
    return dict(re.findall(r'data-line="(\w+)"><dt>[^<]*</dt><dd[^>]*>([^<]*)</dd>', block.group(0)))


def test_month_with_credits_shows_each_part_and_the_net_total(client, auth, billed):
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=3").get_data(as_text=True)
    assert 'data-testid="filtered-total">₩14,250<' in page  # the total stays the net total
    assert breakdown_lines(page) == {
        "charges": "₩15,000",  # usage 10,000 + typed in 5,000
        "credits": "-₩1,000",
        "adjustments": "₩200",
        "tax": "₩50",
    }
    assert "순합계" in page  # the total beside it is labelled the net total


def test_each_imported_entry_carries_its_charge_category(client, auth, billed):
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=3", headers=HX).get_data(as_text=True)
    rows = dict(re.findall(r'<tr id="cost-(\d+)"(.*?)</tr>', page, re.S))
    credit = rows[str(billed["credit"].id)]
    assert 'class="num amount key negative"' in credit and "-₩1,000" in credit
    assert 'data-charge="Credit"' in credit and ">크레딧<" in credit
    assert ">조정<" in rows[str(billed["adjustment"].id)] and ">세금<" in rows[str(billed["tax"].id)]
    assert ">사용<" in rows[str(billed["usage"].id)]
    typed = rows[str(billed["typed"].id)]
    assert "data-charge" not in typed and "negative" not in typed


def test_labels_in_english(client, auth, billed):
    auth.login("pm")
    client.set_cookie("lang", "en")
    page = client.get("/costs/?year=2025&month=3").get_data(as_text=True)
    assert ">Credit<" in page and ">Adjustment<" in page and ">Usage charge<" in page
    assert "<dt>Credits</dt>" in page and "<dt>Adjustments</dt>" in page and "<dt>Tax</dt>" in page
    assert "<dt>Charges</dt>" in page and "<span>Net total</span>" in page and "순합계" not in page


def test_month_without_charge_categories_shows_no_breakdown(client, auth, billed):
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=2").get_data(as_text=True)
    assert 'data-testid="filtered-total">₩7,000<' in page
    assert "charge-breakdown" not in page and "data-charge=" not in page
    assert "순합계" not in page  # the plain "Total" label, as before


def test_usage_only_bill_needs_no_breakdown(client, auth, tenant):
    add_cost(tenant, 2025, 4, "SERVER", "ERP", "3000", charge_category="Usage")
    add_cost(tenant, 2025, 4, "SERVER", "ERP", "400", charge_category="Purchase")
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=4").get_data(as_text=True)
    assert "charge-breakdown" not in page and 'data-charge="Purchase"' in page


def test_breakdown_follows_the_filter(client, auth, billed):
    auth.login("pm")
    # MES has only the typed-in costs: no breakdown; ERP holds the bill: its own net total
    assert "charge-breakdown" not in client.get("/costs/?year=2025&month=3&service=MES").get_data(as_text=True)
    erp = client.get("/costs/?year=2025&month=3&service=ERP", headers=HX).get_data(as_text=True)
    assert breakdown_lines(erp) == {
        "charges": "₩10,000",
        "credits": "-₩1,000",
        "adjustments": "₩200",
        "tax": "₩50",
    }
    assert 'data-testid="filtered-total">₩9,250<' in erp
    # the unfiltered list: both months (February's 7,000 is a charge)
    everything = client.get("/costs/").get_data(as_text=True)
    assert breakdown_lines(everything)["charges"] == "₩22,000" and 'data-testid="filtered-total">₩21,250<' in everything
    # filtered by a server, the totals come from the entries: still the same breakdown shape
    assert "charge-breakdown" not in client.get("/costs/?server=999999").get_data(as_text=True)


def test_refunds_are_shown_apart_from_charges(client, auth, tenant):
    add_cost(tenant, 2025, 5, "SERVER", "ERP", "1000", charge_category="Usage")
    add_cost(tenant, 2025, 5, "STORAGE", "ERP", "-300", charge_category="Usage")  # a correction that refunds usage
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=5").get_data(as_text=True)
    assert breakdown_lines(page) == {"charges": "₩1,000", "refunds": "-₩300"}
    assert 'data-testid="filtered-total">₩700<' in page


def test_totals_fragment_refresh_keeps_the_breakdown(client, auth, billed):
    auth.login("pm")
    fragment = client.get("/costs/totals?year=2025&month=3").get_data(as_text=True)
    assert 'id="cost-totals"' in fragment and 'data-testid="filtered-total">₩14,250<' in fragment
    assert breakdown_lines(fragment)["credits"] == "-₩1,000"
    assert "charge-breakdown" not in client.get("/costs/totals?year=2025&month=2").get_data(as_text=True)


def test_filter_by_charge_category(client, auth, billed):
    auth.login("pm")
    page = client.get("/costs/?year=2025&month=3").get_data(as_text=True)
    assert 'id="f-charge"' in page and '<option value="Credit" >크레딧</option>' in page  # offered: the month holds a bill
    credits = client.get("/costs/?year=2025&month=3&charge=credit", headers=HX).get_data(as_text=True)
    assert 'data-testid="filtered-total">-₩1,000<' in credits and "1건" in credits
    assert f'id="cost-{billed["credit"].id}"' in credits and f'id="cost-{billed["usage"].id}"' not in credits
    assert breakdown_lines(credits) == {"charges": "₩0", "credits": "-₩1,000"}
    assert "charge=Credit" in credits.replace("&amp;", "&")  # kept in the export and refresh links
    csv = client.get("/costs/export.csv?year=2025&month=3&charge=Credit")
    assert csv.status_code == 200 and "Cloud credit" in csv.get_data(as_text=True) and "Compute" not in csv.get_data(as_text=True)
    assert "2025-03_Credit" in csv.headers["Content-Disposition"]
    totals = client.get("/costs/totals?charge=Usage").get_data(as_text=True)
    assert 'data-testid="filtered-total">₩10,000<' in totals


def test_charge_filter_is_not_offered_without_bill_lines(client, auth, billed):
    auth.login("pm")
    assert 'id="f-charge"' not in client.get("/costs/?year=2025&month=2").get_data(as_text=True)


def test_unknown_charge_category_is_named_and_not_applied(client, auth, billed):
    auth.login("pm")
    response = client.get("/costs/?year=2025&month=3&charge=Refund")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "charge: &#39;Refund&#39;은(는) 알 수 없는 값입니다. Usage, Purchase, Tax, Credit, Adjustment 중에서 고르세요." in page
    assert 'data-testid="filtered-total">₩14,250<' in page  # the rest of the filter still applies
    assert client.get("/costs/export.csv?charge=Refund").status_code == 400


def _edit(client, entry, **changes):
    data = {"year": "2025", "month": "3", "category": entry.category, "service": entry.service,
            "amount": str(entry.amount), "description": entry.description, "department": "IT", **changes}  # fmt: skip
    return client.post(f"/costs/{entry.id}/edit", headers=HX, data=data)


def test_an_imported_credit_is_edited_without_losing_its_sign(client, auth, billed, db):
    from webapp.models import CostEntry

    auth.login("pm")
    credit, typed = billed["credit"], billed["typed"]
    saved = _edit(client, credit, amount="-1,000", description="Cloud credit (promotion)")
    assert saved.status_code == 200 and "-₩1,000" in saved.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(CostEntry, credit.id).amount, db.session.get(CostEntry, credit.id).description) == (
        Decimal("-1000.00"),
        "Cloud credit (promotion)",
    )
    assert _edit(client, db.session.get(CostEntry, credit.id), amount="-1500").status_code == 200
    # a typed-in cost stays at zero or more
    refused = _edit(client, typed, amount="-1")
    assert refused.status_code == 422 and 'class="num key has-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CostEntry, typed.id).amount == Decimal("5000.00")
    assert db.session.get(CostEntry, credit.id).amount == Decimal("-1500.00")


def test_the_api_keeps_a_credit_negative_and_a_typed_cost_not(client, auth, billed, db):
    auth.login("pm")
    page = client.get("/costs/").get_data(as_text=True)
    token = {"X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)}
    credit, typed = billed["credit"], billed["typed"]
    changed = client.patch(f"/api/finops/costs/{credit.id}", json={"description": "credit"}, headers=token)
    assert changed.status_code == 200 and changed.get_json()["amount"] == -1000
    assert client.patch(f"/api/finops/costs/{credit.id}", json={"amount": "-2000"}, headers=token).get_json()["amount"] == -2000
    refused = client.patch(f"/api/finops/costs/{typed.id}", json={"amount": "-5"}, headers=token)
    assert refused.status_code == 422 and "amount" in refused.get_json()["errors"]
