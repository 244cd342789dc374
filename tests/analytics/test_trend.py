"""Trend over exact calendar months, across year boundaries."""

from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from webapp import analytics

from ..factories import add_cost


def months(first: str, count: int) -> list[str]:
    """Hand-written calendar: `count` months from `first` (YYYY-MM)."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.mark.parametrize(
    "count, first",
    [(1, "2025-02"), (6, "2024-09"), (13, "2024-02"), (24, "2023-03")],
)
def test_trend_months_are_exact_calendar_months(tenant, count, first):
    result = analytics.trend(tenant.id, months=count, end=(2025, 2))
    periods = [row["period"] for row in result["data"]]
    assert periods == months(first, count)
    assert len(set(periods)) == count and periods[-1] == "2025-02"
    assert [(row["year"], row["month"]) for row in result["data"]][0] == (int(first[:4]), int(first[5:]))


def test_trend_totals_and_direction(tenant, other_tenant):
    add_cost(tenant, 2024, 11, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "500000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1200000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "300000")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "7777777")
    result = analytics.trend(tenant.id, months=3, end=(2025, 1))
    assert [(r["period"], r["total_amount"], r["item_count"]) for r in result["data"]] == [
        ("2024-11", D("1000000.00"), 1),
        ("2024-12", D("500000.00"), 1),
        ("2025-01", D("1500000.00"), 2),
    ]
    assert result["trend_pct"] == D("50.0") and result["trend_dir"] == "UP"
    assert result["months"] == 3 and result["service"] == "ALL"
    erp = analytics.trend(tenant.id, months=2, service="erp", end=(2025, 1))
    assert erp["service"] == "ERP" and erp["trend_pct"] == D("140.0")
    down = analytics.trend(tenant.id, months=2, end=(2024, 12))
    assert (down["trend_pct"], down["trend_dir"]) == (D("-50.0"), "DOWN")


@pytest.mark.parametrize("last, direction", [("105", "STABLE"), ("105.1", "UP"), ("95", "STABLE"), ("94.9", "DOWN")])
def test_trend_direction_edges(tenant, last, direction):
    add_cost(tenant, 2024, 12, "OTHER", "OTHER", "100")
    add_cost(tenant, 2025, 1, "OTHER", "OTHER", last)
    assert analytics.trend(tenant.id, months=2, end=(2025, 1))["trend_dir"] == direction


def test_trend_is_zero_when_first_month_is_empty(tenant):
    add_cost(tenant, 2025, 1, "OTHER", "OTHER", "100")
    result = analytics.trend(tenant.id, months=2, end=(2025, 1))
    assert (result["trend_pct"], result["trend_dir"]) == (D("0.0"), "STABLE")


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_trend_ends_with_this_month_in_the_tenant_zone(factory, zone):
    tenant = factory.tenant(f"tz{zone[-4:].lower()}", timezone=zone)
    now = datetime.now(ZoneInfo(zone))
    result = analytics.trend(tenant.id)
    assert result["data"][-1]["period"] == f"{now.year:04d}-{now.month:02d}" and len(result["data"]) == 6
