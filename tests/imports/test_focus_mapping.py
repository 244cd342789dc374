"""The FOCUS preview shows how the bill maps to categories and services; the user corrects it before importing."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from sqlalchemy import func, select

from webapp.models import CostEntry, Tenant

from ..factories import csv_file
from .test_focus import HEADER


def line(service: str, category: str, amount: str) -> list[str]:
    values = {
        "BillingAccountId": "acct-1",
        "BillingCurrency": "KRW",
        "BillingPeriodStart": "2026-03-01T00:00:00Z",
        "BillingPeriodEnd": "2026-04-01T00:00:00Z",
        "ChargePeriodStart": "2026-03-05T00:00:00Z",
        "ChargePeriodEnd": "2026-03-06T00:00:00Z",
        "BilledCost": amount,
        "EffectiveCost": amount,
        "ListCost": amount,
        "ChargeCategory": "Usage",
        "ChargeClass": "NULL",
        "ChargeFrequency": "Usage-Based",
        "ServiceName": service,
        "ServiceCategory": category,
        "SubAccountName": "NULL",
        "Tags": "NULL",
        "RegionId": "ap-northeast-2",
        "x_Custom": "",
    }
    return [values[name] for name in HEADER]


BILL = [
    HEADER,
    line("Amazon EC2", "Compute", "1000"),
    line("Mystery Box", "Quantum", "250"),
    line("Amazon EC2", "Compute", "500"),
]


def upload(client, content: bytes):
    data = {"kind": "costs", "file": (io.BytesIO(content), "bill.csv")}
    return client.post("/imports/", data=data, content_type="multipart/form-data")


def test_the_preview_shows_the_mapping_and_the_edit_is_imported_and_remembered(client, auth, db, tenant, app):
    from webapp.jobs import wait_for_embedded_jobs

    auth.login("pm")
    response = upload(client, csv_file(BILL))
    assert response.status_code == 302
    detail = response.headers["Location"]
    page = client.get(detail).get_data(as_text=True)
    assert 'data-testid="focus-categories"' in page and 'data-testid="focus-services"' in page
    categories = dict(re.findall(r'name="(cat_value_\d+)" value="([^"]+)"', page))
    services = dict(re.findall(r'name="(svc_value_\d+)" value="([^"]+)"', page))
    assert sorted(categories.values()) == ["Compute", "Quantum"]
    assert sorted(services.values()) == ["Amazon EC2", "Mystery Box"]
    # Compute is mapped to server operations by default; Quantum is unknown (other costs)
    compute = next(k for k, v in categories.items() if v == "Compute").replace("value", "code")
    assert re.search(rf'id="{compute}" name="{compute}">.*?<option value="SERVER" selected>', page, flags=re.S)
    form = {key: value for key, value in {**categories, **services}.items()}
    for key, value in categories.items():
        form[key.replace("value", "code")] = "STORAGE" if value == "Quantum" else "SERVER"
    for key, value in services.items():
        form[key.replace("value", "code")] = "ERP" if value == "Amazon EC2" else "SECURITY"
    assert client.post(detail + "/start", data=form).status_code == 302
    wait_for_embedded_jobs(timeout=30)
    rows = db.session.execute(
        select(CostEntry.category, CostEntry.service, func.sum(CostEntry.amount)).group_by(CostEntry.category, CostEntry.service)
    ).all()
    assert {(c, s): Decimal(a) for c, s, a in rows} == {("SERVER", "ERP"): Decimal(1500), ("STORAGE", "SECURITY"): Decimal(250)}
    remembered = db.session.get(Tenant, tenant.id).settings["focus_mapping"]
    assert remembered["category_map"]["Quantum"] == "STORAGE" and remembered["service_map"]["Mystery Box"] == "SECURITY"
    # the next bill's preview starts from what was chosen
    again = upload(
        client,
        csv_file([HEADER, line("Mystery Box", "Quantum", "99")]),
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert re.search(r'name="cat_code_0">.*?<option value="STORAGE" selected>', page, flags=re.S)


def test_a_refused_code_imports_nothing_and_says_which_value(client, auth, db, tenant):
    auth.login("pm")
    detail = upload(client, csv_file(BILL)).headers["Location"]
    page = client.get(detail).get_data(as_text=True)
    categories = dict(re.findall(r'name="(cat_value_\d+)" value="([^"]+)"', page))
    form = {**categories, **{key.replace("value", "code"): "FOOD" for key in categories}}
    response = client.post(detail + "/start", data=form)
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Compute: SERVER, NETWORK, STORAGE" in shown and "중에서 고르세요" in shown
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0
