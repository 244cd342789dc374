"""Monthly summary, allocation and the budget block against hand-computed figures."""

from decimal import Decimal as D

import pytest

from webapp import analytics

from ..factories import add_budget, add_cost


@pytest.fixture
def january(tenant, other_tenant):
    """December 2024 → January 2025 for acme, and noise in another tenant."""
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "LICENSE", "MES", "500000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1300000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "200000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "50000")
    add_cost(tenant, 2025, 1, "NETWORK", "GROUPWARE", "100000")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "99999999")
    add_cost(other_tenant, 2024, 12, "SERVER", "ERP", "1")
    return tenant


def test_month_over_month_across_january(january):
    summary = analytics.monthly_summary(january.id, 2025, 1)
    assert summary["total_amount"] == D("1650000.00")
    assert summary["prev_period"] == "2024-12" and summary["prev_total_amount"] == D("1500000.00")
    assert summary["mom_change_pct"] == D("10.0")
    assert summary["item_count"] == 4
    assert summary["period"] == "2025-01"


def test_breakdowns_are_largest_first_with_labels_and_shares(january):
    summary = analytics.monthly_summary(january.id, 2025, 1)
    assert list(summary["by_category"]) == ["SERVER", "LICENSE", "NETWORK"]
    assert summary["by_category"]["SERVER"] == {
        "amount": D("1300000.00"),
        "label": "서버 운영비",
        "pct": D("78.8"),
        "item_count": 1,
    }
    assert summary["by_category"]["LICENSE"]["pct"] == D("15.2")
    assert summary["by_category"]["LICENSE"]["item_count"] == 2
    assert list(summary["by_service"]) == ["ERP", "MES", "GROUPWARE"]
    assert summary["by_service"]["GROUPWARE"]["pct"] == D("6.1")


def test_month_over_month_is_zero_when_previous_month_is_empty(tenant):
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "100")
    assert analytics.monthly_summary(tenant.id, 2025, 3)["mom_change_pct"] == D("0.0")


def test_empty_month(tenant):
    summary = analytics.monthly_summary(tenant.id, 2030, 5)
    assert summary["total_amount"] == D("0.00") and summary["item_count"] == 0
    assert summary["by_category"] == {} and summary["budget"]["status"] == "NO_BUDGET"


@pytest.mark.parametrize(
    "budget, actual, usage, status",
    [
        ("1000000", "0", D("0.0"), "OK"),
        ("1000000", "900000", D("90.0"), "OK"),
        ("1000000", "901000", D("90.1"), "WARNING"),
        ("1000000", "1100000", D("110.0"), "WARNING"),
        ("1000000", "1101000", D("110.1"), "OVER"),
        ("0", "1", None, "OVER"),
        ("0", "0", D("0.0"), "OK"),
        (None, "5000", None, "NO_BUDGET"),
    ],
)
def test_budget_status_edges(tenant, budget, actual, usage, status):
    if D(actual):
        add_cost(tenant, 2025, 6, "SERVER", "INFRA", actual)
    if budget is not None:
        add_budget(tenant, 2025, 6, budget)
    block = analytics.monthly_summary(tenant.id, 2025, 6)["budget"]
    assert (block["usage_pct"], block["status"]) == (usage, status)
    result = analytics.budget_vs_actual(tenant.id, 2025, 6)
    assert (result["usage_pct"], result["status"], result["actual"]) == (usage, status, D(actual))


def test_budget_vs_actual_figures(tenant):
    add_budget(tenant, 2025, 6, "2000000")
    add_cost(tenant, 2025, 6, "SERVER", "INFRA", "1500000.50")
    result = analytics.budget_vs_actual(tenant.id, 2025, 6)
    assert result == {
        "year": 2025,
        "month": 6,
        "period": "2025-06",
        "service": "ALL",
        "budget": D("2000000.00"),
        "actual": D("1500000.50"),
        "variance": D("-499999.50"),
        "usage_pct": D("75.0"),
        "status": "OK",
        "remaining": D("499999.50"),
        "item_count": 1,
    }


def test_service_budget_counts_only_that_service_and_never_replaces_all(tenant):
    add_budget(tenant, 2025, 6, "3000000")
    add_budget(tenant, 2025, 6, "1000000", service="ERP")
    add_cost(tenant, 2025, 6, "SERVER", "ERP", "950000")
    add_cost(tenant, 2025, 6, "SERVER", "MES", "1000000")
    erp = analytics.budget_vs_actual(tenant.id, 2025, 6, "ERP")
    assert (erp["budget"], erp["actual"], erp["usage_pct"], erp["status"]) == (
        D("1000000.00"),
        D("950000.00"),
        D("95.0"),
        "WARNING",
    )
    whole = analytics.budget_vs_actual(tenant.id, 2025, 6)
    assert (whole["budget"], whole["actual"], whole["status"]) == (D("3000000.00"), D("1950000.00"), "OK")
    assert analytics.monthly_summary(tenant.id, 2025, 6)["budget"]["amount"] == D("3000000.00")
    assert analytics.budget_vs_actual(tenant.id, 2025, 6, "MES")["status"] == "NO_BUDGET"


def test_budget_overview_has_all_and_every_service(tenant):
    add_budget(tenant, 2025, 6, "3000000")
    add_budget(tenant, 2025, 6, "500000", service="BACKUP")
    add_cost(tenant, 2025, 6, "STORAGE", "BACKUP", "600000")
    overview = analytics.budget_overview(tenant.id, 2025, 6)
    rows = {row["service"]: row for row in overview["rows"]}
    assert list(rows) == ["ALL", "MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER"]
    assert rows["BACKUP"]["usage_pct"] == D("120.0") and rows["BACKUP"]["status"] == "OVER"
    assert rows["ALL"]["actual"] == D("600000.00") and rows["ALL"]["status"] == "OK"
    assert rows["ERP"]["status"] == "NO_BUDGET"
    assert overview["service_budget_total"] == D("500000.00")


def test_allocation_lists_every_service_with_category_amounts(january):
    result = analytics.allocation(january.id, 2025, 1)
    assert result["total"] == D("1650000.00")
    assert list(result["allocation"]) == ["MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER"]
    mes = result["allocation"]["MES"]
    assert (mes["amount"], mes["pct"], mes["item_count"]) == (D("250000.00"), D("15.2"), 2)
    assert mes["by_category"]["LICENSE"] == D("250000.00") and mes["by_category"]["SERVER"] == D("0.00")
    assert list(mes["by_category"]) == ["SERVER", "NETWORK", "STORAGE", "LICENSE", "MAINTENANCE", "PERSONNEL", "OTHER"]
    assert result["allocation"]["BACKUP"] == {
        "amount": D("0.00"),
        "pct": D("0.0"),
        "item_count": 0,
        "by_category": {c: D("0.00") for c in mes["by_category"]},
    }


def test_amounts_sum_exactly(tenant):
    for _ in range(10):
        add_cost(tenant, 2025, 2, "OTHER", "OTHER", "0.1", commit=False)
        add_cost(tenant, 2025, 2, "OTHER", "OTHER", "0.2", commit=False)
    add_cost(tenant, 2025, 2, "SERVER", "ERP", "1234567890123.45")
    summary = analytics.monthly_summary(tenant.id, 2025, 2)
    assert summary["total_amount"] == D("1234567890126.45")
    assert summary["by_service"]["OTHER"]["amount"] == D("3.00")
    assert isinstance(summary["total_amount"], D)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda t: analytics.monthly_summary(t, 2025, 0), "month"),
        (lambda t: analytics.monthly_summary(t, 2025, 13), "month"),
        (lambda t: analytics.monthly_summary(t, None, 1), "year"),
        (lambda t: analytics.allocation(t, "abc", 1), "year"),
        (lambda t: analytics.budget_vs_actual(t, 2025, 1, "PAYROLL"), "service"),
        (lambda t: analytics.trend(t, months=0), "months"),
        (lambda t: analytics.trend(t, months=25), "months"),
        (lambda t: analytics.trend(t, months="six"), "months"),
        (lambda t: analytics.trend(t, service="NOPE"), "service"),
        (lambda t: analytics.anomalies(t, 2025, 1, threshold=4.9), "threshold"),
        (lambda t: analytics.anomalies(t, 2025, 1, threshold=201), "threshold"),
        (lambda t: analytics.anomalies(t, 2025, 1, threshold="x"), "threshold"),
        (lambda t: analytics.recommendations(t, 2025, 13), "month"),
    ],
)
def test_bad_parameters_name_the_field(tenant, call, field):
    with pytest.raises(analytics.InvalidParameter) as error:
        call(tenant.id)
    assert error.value.field == field and field in error.value.message
