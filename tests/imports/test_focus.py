"""FOCUS cost files: the awkward cases imported to month totals computed independently here."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from webapp.analytics.totals import rollup_differences
from webapp.imports.pipeline import undo_batch
from webapp.models import CostEntry, CostMonthlyTotal, Tenant

from ..factories import csv_file

HEADER = [
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ChargeCategory",
    "ChargeClass",
    "ChargeFrequency",
    "ServiceName",
    "ServiceCategory",
    "SubAccountName",
    "Tags",
    "RegionId",
    "x_Custom",
]
RATE = Decimal("1380.55")


def focus_lines(seed: int = 7) -> list[list[str]]:
    """Lines with NULL cells, both spellings of Usage-Based, 11-decimal sub-won amounts, credits and adjustments,
    JSON tags, and charges whose month is not their billing month."""
    rng = random.Random(seed)
    lines = []
    for index in range(400):
        billed = Decimal(rng.randint(1, 10**11)) / Decimal(10**11) * rng.choice([1, 3, 40])  # up to 11 decimals
        effective = (billed * Decimal("0.9")).quantize(Decimal("1e-11"))
        day = rng.randint(1, 28)
        charge = f"2026-03-{day:02d}T{rng.randint(0, 23):02d}:00:00Z"
        if index % 50 == 0:
            charge = "2026-02-27T10:00:00Z"  # February charge on the March bill
        if index % 50 == 1:
            charge = "2026-03-31T20:00:00Z"  # 1 April in Seoul
        category = rng.choice(["Compute", "compute", "Storage", "Networking", "Databases", "Other Things"])
        tags = rng.choice(["NULL", json.dumps({"application": "erp"}), json.dumps({"application": "mes", "env": "prod"}), ""])
        lines.append(
            [
                "acct-1",
                "USD",
                "2026-03-01T00:00:00Z",
                "2026-04-01T00:00:00Z",
                charge,
                charge,
                f"{billed:f}",
                f"{effective:f}",
                "NULL",
                rng.choice(["Usage", "usage", "USAGE"]),
                "NULL",
                rng.choice(["Usage-Based", "Usage-based"]),
                rng.choice(["Amazon EC2", "Amazon S3", "Amazon RDS"]),
                category,
                rng.choice(["NULL", "prod-account"]),
                tags,
                "ap-northeast-2",
                "x",
            ]
        )
    april = ["acct-1", "USD", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", "2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z"]
    lines.append(
        [*april, "12.34567890123", "11", "NULL", "Usage", "NULL", "Usage-Based", "Amazon EC2", "Compute", "NULL", "NULL", "", ""]
    )
    march = ["acct-1", "USD", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"]
    lines.append([*march, "-5.5", "-5.5", "NULL", "Credit", "NULL", "NULL", "Amazon EC2", "Compute", "NULL", "NULL", "", ""])
    lines.append([*march, "-1.25", "-1.25", "NULL", "adjustment", "NULL", "NULL", "Amazon S3", "Storage", "NULL", "NULL", "", ""])
    lines.append([*march, "3.3", "3.3", "NULL", "Tax", "NULL", "NULL", "Amazon EC2", "Compute", "NULL", "NULL", "", ""])
    return lines


def expected_totals(lines, amount_index: int, by_charge: bool) -> dict[tuple[int, int], Decimal]:
    """Each month's file total × rate, rounded to the cent, computed from the lines alone."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for line in lines:
        if by_charge:
            moment = datetime.fromisoformat(line[4].replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Seoul"))
            month = (moment.year, moment.month)
        else:
            month = (int(line[2][:4]), int(line[2][5:7]))
        totals[month] += Decimal(line[amount_index]) * RATE
    return {month: total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for month, total in totals.items()}


def stored_totals(db, tenant_id) -> dict[tuple[int, int], Decimal]:
    rows = db.session.execute(
        select(CostMonthlyTotal.year, CostMonthlyTotal.month, func.sum(CostMonthlyTotal.amount))
        .where(CostMonthlyTotal.tenant_id == tenant_id)
        .group_by(CostMonthlyTotal.year, CostMonthlyTotal.month)
    )
    return {(year, month): Decimal(total) for year, month, total in rows if total}


def test_focus_file_imports_to_the_month_totals_of_the_lines(db, tenant, run_import):
    lines = focus_lines()
    content = csv_file([HEADER, *lines])
    batch = run_import("costs", content, "focus.csv", rate=str(RATE), service_rule="tag:application", service_map={"erp": "ERP"})
    assert batch.status == "DONE", (batch.message, batch.errors[:3])
    assert batch.options["layout"] == "focus"
    assert stored_totals(db, tenant.id) == expected_totals(lines, 6, by_charge=False)
    entries = db.session.scalars(select(CostEntry)).all()
    assert len(entries) < 60 and sum(e.line_count for e in entries) == len(lines)
    assert {e.charge_category for e in entries} == {"Usage", "Credit", "Adjustment", "Tax"}
    credit = next(e for e in entries if e.charge_category == "Credit")
    assert (credit.original_amount, credit.original_currency, credit.amount) == (
        Decimal("-5.50"),
        "USD",
        (Decimal("-5.5") * RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )
    assert {e.service for e in entries} == {"ERP", "MES", "INFRA"}  # tag values; lines without the tag: the default
    assert {e.category for e in entries} == {"SERVER", "STORAGE", "NETWORK", "OTHER"}
    assert rollup_differences(tenant.id) == 0
    remembered = db.session.get(Tenant, tenant.id).settings["focus_mapping"]
    assert remembered["service_rule"] == "tag:application" and remembered["service_map"] == {"erp": "ERP"}

    undo_batch(batch, None)
    assert stored_totals(db, tenant.id) == {}
    again = run_import("costs", content, "focus.csv", force=True, rate=str(RATE), amount="effective", month_from="charge")
    assert again.status == "DONE", (again.message, again.errors[:3])
    expected = expected_totals(lines, 7, by_charge=True)
    assert {(2026, 2), (2026, 3), (2026, 4)} <= set(expected)
    assert stored_totals(db, tenant.id) == expected
    assert "ERP" in set(db.session.scalars(select(CostEntry.service)))  # the remembered tag rule


def test_one_bad_line_imports_nothing_and_names_row_and_column(db, tenant, run_import):
    lines = focus_lines()
    lines[120][6] = "12,3x"
    lines[200][6] = "-4"  # a negative usage line
    batch = run_import("costs", csv_file([HEADER, *lines]), "focus.csv", rate=str(RATE))
    assert batch.status == "FAILED"
    assert [(e["row"], e["column"]) for e in batch.errors] == [(122, "BilledCost"), (202, "BilledCost")]
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


def test_a_foreign_currency_needs_a_rate(db, tenant, run_import):
    lines = focus_lines()[:3]
    batch = run_import("costs", csv_file([HEADER, *lines]), "focus.csv")
    assert batch.status == "FAILED"
    assert {e["column"] for e in batch.errors} == {"BillingCurrency"}
    assert "rate" in batch.errors[0]["message"]
