"""Anomalies against the six-month median and a robust band, on hand-built series (SPEC §3.5 baseline)."""

from decimal import Decimal as D

import pytest

from webapp import analytics
from webapp.analytics.baseline import median, robust_spread, split_exactly
from webapp.analytics.periods import add_months
from webapp.extensions import db

from ..factories import add_cost

END = (2025, 7)  # the month looked at; the baseline is 2025-01 … 2025-06


def series(tenant, service, amounts, category="SERVER", end=END):
    """One amount per month for a service, the last one in `end`; None leaves a month without cost."""
    for offset, amount in enumerate(amounts):
        year, month = add_months(*end, offset - len(amounts) + 1)
        if amount is not None:
            add_cost(tenant, year, month, category, service, amount, commit=False)
    db.session.commit()


def found(tenant, threshold=30, end=END):
    """{service: anomaly} of the baseline rule for `end`."""
    return {a["service"]: a for a in analytics.baseline_anomalies(tenant.id, *end, threshold=threshold)["anomalies"]}


def test_one_spike_is_flagged_and_does_not_distort_the_next_month(tenant):
    series(tenant, "ERP", [1000, 1100, 950, 1050, 980, 1020, 2000, 1000], end=(2025, 8))
    spike = found(tenant, end=(2025, 7))["ERP"]
    assert spike["expected_amount"] == D("1010.00")  # median of 950 980 1000 1020 1050 1100
    assert spike["spread"] == D("51.89")  # MAD 35 × 1.4826
    assert (spike["band_low"], spike["band_high"]) == (D("854.33"), D("1165.67"))
    assert spike["impact_amount"] == D("990.00") and spike["change_pct"] == D("98.0")
    assert spike["direction"] == "UP" and spike["severity"] == "CRITICAL" and spike["baseline_month_count"] == 6
    assert found(tenant, end=(2025, 8)) == {}  # back to 1000: the median (1035) shrugs the spike off


def test_a_steady_three_percent_climb_is_not_flagged(tenant):
    amounts = [(D(1_000_000) * D("1.03") ** k).quantize(D(1)) for k in range(13)]
    series(tenant, "INFRA", amounts)
    assert found(tenant) == {}
    mom = analytics.anomalies(tenant.id, *END, threshold=5)["anomalies"]
    assert mom == []  # nor by the month-over-month rule: every step is 3 %


def test_the_issue_series_is_flagged_in_the_last_month(tenant):
    series(tenant, "GROUPWARE", [1000, 1000, 1000, 1000, 2000, 1500])
    anomaly = found(tenant)["GROUPWARE"]
    assert anomaly["expected_amount"] == D("1000.00") and anomaly["change_pct"] == D("50.0")
    assert (anomaly["band_low"], anomaly["band_high"]) == (D("1000.00"), D("1000.00"))  # MAD 0: the band is the median
    assert anomaly["impact_amount"] == D("500.00") and anomaly["severity"] == "CRITICAL"
    assert anomaly["baseline_month_count"] == 5  # the month before the first cost is not a zero
    assert anomaly["prev_amount"] == D("2000.00")
    assert analytics.anomalies(tenant.id, *END)["anomaly_count"] == 0  # -25 % on the previous month: the old rule misses it


def test_with_no_spread_the_threshold_decides(tenant):
    series(tenant, "MES", [1000] * 6 + [1250])
    assert found(tenant, threshold=30) == {}
    assert found(tenant, threshold=20)["MES"]["change_pct"] == D("25.0")


def test_a_spike_after_months_without_cost_is_new(tenant):
    series(tenant, "BACKUP", [500, None, None, None, None, None, None, None, 5000])  # cost 8 months ago, then nothing
    series(tenant, "SECURITY", [800])  # never seen before
    anomalies = found(tenant)
    assert anomalies["BACKUP"]["direction"] == "NEW" and anomalies["BACKUP"]["change_pct"] is None
    assert anomalies["BACKUP"]["expected_amount"] == 0 and anomalies["BACKUP"]["impact_amount"] == D("5000.00")
    assert anomalies["BACKUP"]["baseline_month_count"] == 6  # six months of zero after its first cost
    assert anomalies["SECURITY"]["direction"] == "NEW" and anomalies["SECURITY"]["baseline_month_count"] == 0
    result = analytics.baseline_anomalies(tenant.id, *END)
    assert [a["direction"] for a in result["anomalies"]][:2] == ["NEW", "NEW"]  # NEW ones come first


def test_zero_months_count_only_after_the_first_cost(tenant):
    series(tenant, "ERP", [None, None, None, 1000, 1000, 1000, 1000])  # started three months ago
    assert found(tenant) == {}  # counting the empty months as zeros would make the median 500 and flag +100 %


def test_a_service_that_stops_is_flagged_down(tenant):
    series(tenant, "OTHER", [700] * 6, end=(2025, 6))
    series(tenant, "ERP", [1] * 7)  # something else happens in the month itself
    anomaly = found(tenant)["OTHER"]
    assert anomaly["direction"] == "DOWN" and anomaly["change_pct"] == D("-100.0") and anomaly["curr_amount"] == 0


def test_contributors_sum_to_the_impact_exactly(tenant):
    for offset, (server, licence, network) in enumerate(
        [
            ("333.33", "666.67", "0.01"),
            ("350.10", "640.00", "10.00"),
            ("320.00", "700.00", "3.33"),
            ("333.33", "666.67", "0.01"),
            ("340.00", "650.55", "7.77"),
            ("300.00", "690.00", "1.11"),
        ]
    ):
        year, month = add_months(*END, offset - 6)
        add_cost(tenant, year, month, "SERVER", "ERP", server, commit=False)
        add_cost(tenant, year, month, "LICENSE", "ERP", licence, commit=False)
        add_cost(tenant, year, month, "NETWORK", "ERP", network, commit=False)
    add_cost(tenant, *END, "SERVER", "ERP", "1234.56", commit=False)
    add_cost(tenant, *END, "PERSONNEL", "ERP", "777.77", commit=False)
    db.session.commit()
    anomaly = found(tenant)["ERP"]
    contributors = anomaly["contributors"]
    assert sum(c["impact_amount"] for c in contributors) == anomaly["impact_amount"]
    assert sum(c["curr_amount"] for c in contributors) == anomaly["curr_amount"] == D("2012.33")
    assert sum(c["expected_amount"] for c in contributors) == anomaly["expected_amount"]
    assert contributors[0]["category"] == "SERVER"  # +1234.56 − its share is the largest move
    assert {c["category"] for c in contributors} == {"SERVER", "LICENSE", "NETWORK", "PERSONNEL"}
    assert all(c["impact_amount"] == c["curr_amount"] - c["expected_amount"] for c in contributors)


def test_other_tenants_costs_never_count(tenant, other_tenant):
    series(tenant, "ERP", [1000] * 7)
    series(other_tenant, "ERP", [5000])
    assert found(tenant) == {}


def test_median_spread_and_exact_split():
    assert median([D(3), D(1), D(2)]) == 2 and median([D(4), D(1), D(3), D(2)]) == D("2.5")
    assert robust_spread([D(1), D(2), D(3), D(4), D(100)], D(3)) == D("1.4826")
    parts = split_exactly(D("100.00"), {"a": D(1), "b": D(1), "c": D(1)})
    assert sum(parts.values()) == D("100.00") and sorted(parts.values()) == [D("33.33"), D("33.33"), D("33.34")]
    assert split_exactly(D("10.00"), {"a": D(0)}) == {"a": D("0.00")}


@pytest.mark.parametrize("threshold", [4, 201, "x"])
def test_bad_threshold_is_refused(tenant, threshold):
    with pytest.raises(analytics.InvalidParameter) as error:
        analytics.baseline_anomalies(tenant.id, 2025, 7, threshold=threshold)
    assert error.value.field == "threshold"


# --- where users see it -----------------------------------------------------------------------


def test_api_keeps_month_over_month_by_default_and_gives_the_baseline_on_request(client, auth, tenant):
    series(tenant, "GROUPWARE", [1000, 1000, 1000, 1000, 2000, 1500])
    auth.login("pm")
    default = client.get("/api/finops/anomalies?year=2025&month=7").get_json()
    assert default["anomaly_count"] == 0 and "method" not in default  # the seed's rule: -25 % on June
    baseline = client.get("/api/finops/anomalies?year=2025&month=7&method=baseline").get_json()
    assert baseline["method"] == "baseline" and baseline["baseline_months"] == 6 and baseline["threshold_pct"] == 30
    assert (baseline["baseline_start"], baseline["baseline_end"]) == ("2025-01", "2025-06")
    (anomaly,) = baseline["anomalies"]
    assert {
        key: anomaly[key]
        for key in (
            "service",
            "curr_amount",
            "prev_amount",
            "change_pct",
            "direction",
            "severity",
            "expected_amount",
            "impact_amount",
            "band_low",
            "band_high",
        )
    } == {
        "service": "GROUPWARE",
        "curr_amount": 1500,
        "prev_amount": 2000,
        "change_pct": 50.0,
        "direction": "UP",
        "severity": "CRITICAL",
        "expected_amount": 1000,
        "impact_amount": 500,
        "band_low": 1000,
        "band_high": 1000,
    }
    assert anomaly["contributors"] == [
        {
            "category": "SERVER",
            "label": "서버 운영비",
            "curr_amount": 1500,
            "expected_amount": 1000,
            "impact_amount": 500,
            "change_amount": 500,
        }
    ]
    refused = client.get("/api/finops/anomalies?year=2025&month=7&method=zscore")
    assert refused.status_code == 400 and "method" in refused.get_json()["errors"]


def test_dashboard_and_cost_report_use_the_baseline_and_say_so(client, auth, tenant):
    series(tenant, "GROUPWARE", [1000, 1000, 1000, 1000, 2000, 1500])
    auth.login("pm")
    page = client.get("/dashboard?year=2025&month=7").get_data(as_text=True)
    assert "2025-01 – 2025-06 중앙값 대비" in page and "직전 6개월의 중앙값과 비교합니다" in page
    assert "예상 ₩1,000 (평소 범위 ₩1,000 – ₩1,000) → ₩1,500" in page and "+50.0%" in page and "영향 +₩500" in page
    printable = client.get("/reports/print/monthly_cost?start=2025-07-01&end=2025-07-31").get_data(as_text=True)
    assert "2025-01 – 2025-06의 중앙값과 비교합니다" in printable
    assert "GROUPWARE" in printable and "+50.0%" in printable and "₩1,000 – ₩1,000" in printable
