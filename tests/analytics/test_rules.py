"""Anomalies and recommendations: thresholds met exactly, NEW from zero, severity, money savings."""

from decimal import Decimal as D

import pytest

from webapp import analytics

from ..factories import add_cost, add_server


@pytest.fixture
def moves(tenant, other_tenant):
    """ERP +30 %, MES −50 %, GROUPWARE appears from zero, INFRA +10 %, SECURITY unchanged."""
    add_cost(tenant, 2024, 12, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2024, 12, "LICENSE", "MES", "500000")
    add_cost(tenant, 2024, 12, "STORAGE", "INFRA", "200000")
    add_cost(tenant, 2024, 12, "OTHER", "SECURITY", "50000")
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1100000")
    add_cost(tenant, 2025, 1, "PERSONNEL", "ERP", "200000")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "250000")
    add_cost(tenant, 2025, 1, "NETWORK", "GROUPWARE", "80000")
    add_cost(tenant, 2025, 1, "STORAGE", "INFRA", "220000")
    add_cost(tenant, 2025, 1, "OTHER", "SECURITY", "50000")
    add_cost(other_tenant, 2025, 1, "SERVER", "BACKUP", "900000")
    return tenant


def test_anomalies_threshold_met_exactly_new_and_severity(moves):
    result = analytics.anomalies(moves.id, 2025, 1, threshold=30)
    assert result["threshold_pct"] == D("30") and result["prev_period"] == "2024-12"
    summary = [(a["service"], a["direction"], a["severity"], a["change_pct"]) for a in result["anomalies"]]
    assert summary == [
        ("GROUPWARE", "NEW", "WARNING", None),
        ("MES", "DOWN", "CRITICAL", D("-50.0")),
        ("ERP", "UP", "WARNING", D("30.0")),
    ]
    assert result["anomaly_count"] == 3
    erp = result["anomalies"][2]
    assert (erp["curr_amount"], erp["prev_amount"], erp["change_amount"]) == (D("1300000.00"), D("1000000.00"), D("300000.00"))


def test_threshold_just_above_the_change_does_not_flag(moves):
    services = [a["service"] for a in analytics.anomalies(moves.id, 2025, 1, threshold="30.1")["anomalies"]]
    assert services == ["GROUPWARE", "MES"]


@pytest.mark.parametrize("threshold, flagged", [(5, True), (10, True), (10.1, False), (200, False)])
def test_threshold_range_edges(moves, threshold, flagged):
    services = [a["service"] for a in analytics.anomalies(moves.id, 2025, 1, threshold=threshold)["anomalies"]]
    assert ("INFRA" in services) is flagged


def test_severity_is_critical_from_fifty_percent(tenant):
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000")
    add_cost(tenant, 2025, 2, "SERVER", "ERP", "1500")
    add_cost(tenant, 2025, 1, "SERVER", "MES", "1000")
    add_cost(tenant, 2025, 2, "SERVER", "MES", "1499")
    severities = {a["service"]: (a["change_pct"], a["severity"]) for a in analytics.anomalies(tenant.id, 2025, 2)["anomalies"]}
    assert severities == {"ERP": (D("50.0"), "CRITICAL"), "MES": (D("49.9"), "WARNING")}


def test_contributors_name_the_categories_with_amounts(moves):
    erp = next(a for a in analytics.anomalies(moves.id, 2025, 1)["anomalies"] if a["service"] == "ERP")
    assert erp["contributors"] == [
        {
            "category": "PERSONNEL",
            "label": "인건비",
            "curr_amount": D("200000.00"),
            "prev_amount": D("0.00"),
            "change_amount": D("200000.00"),
        },
        {
            "category": "SERVER",
            "label": "서버 운영비",
            "curr_amount": D("1100000.00"),
            "prev_amount": D("1000000.00"),
            "change_amount": D("100000.00"),
        },
    ]
    new = analytics.anomalies(moves.id, 2025, 1)["anomalies"][0]
    assert [c["category"] for c in new["contributors"]] == ["NETWORK"]


def test_service_gone_to_zero_is_a_critical_drop(tenant):
    add_cost(tenant, 2025, 1, "SERVER", "BACKUP", "1000")
    anomaly = analytics.anomalies(tenant.id, 2025, 2)["anomalies"][0]
    assert (anomaly["service"], anomaly["change_pct"], anomaly["direction"], anomaly["severity"]) == (
        "BACKUP",
        D("-100.0"),
        "DOWN",
        "CRITICAL",
    )


def _types(result):
    return [(r["type"], r["severity"], r["estimated_saving"]) for r in result["recommendations"]]


NORMAL = ("NORMAL", "INFO", D("0.00"))


@pytest.mark.parametrize(
    "costs, expected",
    [
        pytest.param([(3, "LICENSE", "ERP", "300"), (3, "SERVER", "ERP", "700")], NORMAL, id="licence-30.0%"),
        pytest.param(
            [(3, "LICENSE", "ERP", "301"), (3, "SERVER", "ERP", "699")],
            ("LICENSE_REVIEW", "HIGH", D("30.10")),
            id="licence-30.1%",
        ),
        pytest.param([(3, "MAINTENANCE", "ERP", "250"), (3, "SERVER", "ERP", "750")], NORMAL, id="maintenance-25.0%"),
        pytest.param(
            [(3, "MAINTENANCE", "ERP", "251"), (3, "SERVER", "ERP", "749")],
            ("MAINTENANCE_REVIEW", "MEDIUM", D("12.55")),
            id="maintenance-25.1%",
        ),
        pytest.param([(2, "SERVER", "MES", "1000"), (3, "SERVER", "MES", "1500")], NORMAL, id="spike-50.0%"),
        pytest.param(
            [(2, "SERVER", "MES", "1000"), (3, "SERVER", "MES", "1501")], ("COST_SPIKE", "HIGH", D("75.15")), id="spike-50.1%"
        ),
    ],
)
def test_rules_fire_only_above_their_threshold_with_money_savings(tenant, costs, expected):
    """LICENSE share > 30 % saves 10 % of it, MAINTENANCE > 25 % saves 5 %, a spike > 50 % saves 15 % of the rise."""
    for month, category, service, amount in costs:
        add_cost(tenant, 2025, month, category, service, amount)
    assert _types(analytics.recommendations(tenant.id, 2025, 3)) == [expected]


def test_idle_server_saves_its_monthly_cost(tenant, other_tenant):
    idle = add_server(tenant, "was-01", year=2025, month=3, cpu="9.99")
    busy = add_server(tenant, "db-01", year=2025, month=3, cpu="10")
    unpaid = add_server(tenant, "spare-01", year=2025, month=3, cpu="1")
    add_cost(tenant, 2025, 3, "SERVER", "INFRA", "400000", server=idle)
    add_cost(tenant, 2025, 3, "NETWORK", "INFRA", "100000.50", server=idle)
    add_cost(tenant, 2025, 2, "SERVER", "INFRA", "999999", server=idle)
    add_cost(tenant, 2025, 3, "SERVER", "INFRA", "500000", server=busy)
    add_cost(tenant, 2025, 3, "SERVER", "INFRA", "0", server=unpaid)
    result = analytics.recommendations(tenant.id, 2025, 3)
    idle_items = [r for r in result["recommendations"] if r["type"] == "IDLE_SERVER"]
    assert [(r["server"], r["estimated_saving"], r["cpu_avg"]) for r in idle_items] == [("was-01", D("500000.50"), D("9.99"))]


def test_total_saving_is_a_sum_of_money(tenant):
    add_cost(tenant, 2025, 2, "SERVER", "MES", "100000")
    add_cost(tenant, 2025, 3, "LICENSE", "MES", "400000")
    add_cost(tenant, 2025, 3, "MAINTENANCE", "ERP", "300000")
    add_cost(tenant, 2025, 3, "SERVER", "ERP", "300000")
    result = analytics.recommendations(tenant.id, 2025, 3)
    # licence 40 % → 40,000; maintenance 30 % → 15,000; MES +300 % → 15 % of 300,000 = 45,000
    assert _types(result) == [
        ("LICENSE_REVIEW", "HIGH", D("40000.00")),
        ("MAINTENANCE_REVIEW", "MEDIUM", D("15000.00")),
        ("COST_SPIKE", "HIGH", D("45000.00")),
    ]
    assert result["total_potential_saving"] == D("100000.00")
    assert result["recommendation_count"] == 3 and result["total_amount"] == D("1000000.00")
    assert "₩400,000" in result["recommendations"][0]["message"]
    assert [r["potential_saving_pct"] for r in result["recommendations"]] == [D("10"), D("5"), D("15")]
    assert result["total_potential_saving_pct"] == D("10.0")  # 100,000 of 1,000,000; not 10 + 5 + 15


@pytest.mark.parametrize(
    ("before", "now", "spike"),
    [
        ("10000.00", "15000.00", False),  # +50.00 %
        ("10000.00", "15004.00", True),  # +50.04 %, shown as 50.0 %
        ("10000.00", "15000.01", True),  # +50.0001 %
        ("3.00", "4.50", False),  # exactly +50 % on a small amount
        ("0.00", "1000.00", False),  # new this month: not a spike (it is a NEW anomaly)
    ],
)
def test_cost_spike_compares_the_exact_ratio(tenant, before, now, spike):
    """Strictly more than 50 % by exact Decimal arithmetic, not by the rounded percentage shown."""
    from webapp.analytics.rules import is_spike

    assert is_spike(D(now), D(before)) is spike
    if D(before):
        add_cost(tenant, 2025, 2, "SERVER", "MES", before)
    add_cost(tenant, 2025, 3, "SERVER", "MES", now)
    spikes = [r for r in analytics.recommendations(tenant.id, 2025, 3)["recommendations"] if r["type"] == "COST_SPIKE"]
    assert bool(spikes) is spike
    if spike:
        assert spikes[0]["change_pct"] >= D("50.0") and spikes[0]["potential_saving_pct"] == D("15")


def test_idle_server_saves_all_of_its_cost_and_normal_saves_nothing(tenant):
    idle = add_server(tenant, "was-01", year=2025, month=3, cpu="2")
    add_cost(tenant, 2025, 3, "SERVER", "INFRA", "200000", server=idle)
    add_cost(tenant, 2025, 3, "PERSONNEL", "INFRA", "800000")
    result = analytics.recommendations(tenant.id, 2025, 3)
    assert [(r["type"], r["potential_saving_pct"], r["estimated_saving"]) for r in result["recommendations"]] == [
        ("IDLE_SERVER", D("100"), D("200000.00"))
    ]
    assert result["total_potential_saving_pct"] == D("20.0")
    empty = analytics.recommendations(tenant.id, 2025, 4)
    assert [(r["type"], r["potential_saving_pct"]) for r in empty["recommendations"]] == [("NORMAL", D("0"))]
    assert empty["total_potential_saving_pct"] == D("0.0")
