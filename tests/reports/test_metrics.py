"""SR figures of SPEC §5.3 against values computed by hand, in the tenant's time zone."""

from datetime import date
from decimal import Decimal

from webapp.reports import metrics

from ..factories import MARCH, add_sr, local


def test_summary_matches_hand_computed_figures(tenant, march):
    window = metrics.window_for(tenant, *MARCH, now=local("2026-04-01 12:00"))
    assert metrics.sr_summary(window) == {
        "created": 7,  # A B C E G H J
        "resolved": 4,  # A B C D — C was resolved at 23:30 on the last day
        "open_now": 3,  # E F G
        "completion_rate": Decimal("57.1"),  # 4 / 7
        "mttr_hours": Decimal("14.3"),  # (3 + 24 + 27.5 + 2.5) / 4 = 14.25, half up
    }


def test_a_day_later_period_ignores_the_tenant_zone_shift(tenant, march):
    """1 April (KST) holds F and H's resolution; a UTC implementation would put F in March."""
    window = metrics.window_for(tenant, date(2026, 4, 1), date(2026, 4, 1))
    summary = metrics.sr_summary(window)
    assert (summary["created"], summary["resolved"]) == (1, 1)
    assert summary["mttr_hours"] == Decimal("399.2")  # H: 15 Mar 09:00 → 1 Apr 00:10 = 399 h 10 min


def test_empty_period_gives_zero_rates(tenant):
    summary = metrics.sr_summary(metrics.window_for(tenant, *MARCH))
    assert summary == {
        "created": 0,
        "resolved": 0,
        "open_now": 0,
        "completion_rate": Decimal("0.0"),
        "mttr_hours": Decimal("0.0"),
    }


def test_sla_compliance_per_priority(tenant, march):
    window = metrics.window_for(tenant, *MARCH, now=local("2026-04-01 12:00"))
    rows = {r["priority"]: r for r in metrics.sla_by_priority(window)}
    assert (rows["P1"]["resolved"], rows["P1"]["met"], rows["P1"]["compliance"]) == (2, 2, Decimal("100.0"))
    assert (rows["P2"]["resolved"], rows["P2"]["breached"], rows["P2"]["compliance"]) == (1, 1, Decimal("0.0"))
    assert (rows["P3"]["resolved"], rows["P3"]["met"], rows["P3"]["compliance"]) == (1, 1, Decimal("100.0"))
    assert rows["P4"]["resolved"] == 0 and rows["P4"]["compliance"] is None
    assert rows["P1"]["mean_hours"] == Decimal("2.8")  # (3 + 2.5) / 2 = 2.75
    assert rows["P3"]["open_overdue"] == 1  # G: open since 1 March, target 24 h
    assert rows["P4"]["open_overdue"] == 0  # E: open 12 h of 72 h
    assert metrics.sla_totals(list(rows.values()))["compliance"] == Decimal("75.0")


def test_breaches_list_late_resolutions_then_open_overdue(tenant, march):
    window = metrics.window_for(tenant, *MARCH, now=local("2026-04-01 12:00"))
    breaches = list(metrics.iter_breaches(window))
    assert [b["code"] for b in breaches] == [march["C"].code, march["G"].code]
    assert breaches[0]["elapsed_hours"] == Decimal("27.5") and breaches[0]["over_hours"] == Decimal("19.5")
    assert breaches[1]["status"] == "IN_PROGRESS" and breaches[1]["elapsed_hours"] == Decimal("756.0")
    assert metrics.count_breaches(window) == 2


def test_sla_targets_come_from_the_tenant_settings(db, tenant, march):
    tenant.settings = {"sla_hours": {"P1": 4, "P2": 30, "P3": 24, "P4": 72}}
    db.session.commit()
    window = metrics.window_for(tenant, *MARCH, now=local("2026-04-01 12:00"))
    rows = {r["priority"]: r for r in metrics.sla_by_priority(window)}
    assert rows["P2"]["met"] == 1  # 27.5 h is within a 30 h target


def test_daily_trend_uses_local_days(tenant, march):
    daily = {row["day"]: row for row in metrics.daily_trend(metrics.window_for(tenant, *MARCH))}
    assert len(daily) == 31
    assert daily[date(2026, 3, 1)] == {"day": date(2026, 3, 1), "created": 1, "resolved": 1}  # G; D at 00:30
    assert daily[date(2026, 3, 31)]["created"] == 1 and daily[date(2026, 3, 31)]["resolved"] == 1  # E; C at 23:30


def test_daily_trend_across_daylight_saving(db, factory):
    """New York switches to summer time on 8 March 2026; 23:30 that evening is still the 8th."""
    tenant = factory.tenant("ny", "뉴욕 사무소", timezone="America/New_York")
    add_sr(tenant, "2026-03-08 23:30")
    add_sr(tenant, "2026-03-07 23:30")
    daily = {
        row["day"]: row["created"] for row in metrics.daily_trend(metrics.window_for(tenant, date(2026, 3, 7), date(2026, 3, 9)))
    }
    assert daily == {date(2026, 3, 7): 1, date(2026, 3, 8): 1, date(2026, 3, 9): 0}


def test_per_service_lists_every_service(tenant, march):
    rows = {r["service"]: r for r in metrics.per_service(metrics.window_for(tenant, *MARCH))}
    assert list(rows)[:3] == ["MES", "ERP", "GROUPWARE"]
    assert (rows["MES"]["created"], rows["MES"]["resolved"], rows["MES"]["mttr_hours"]) == (1, 1, Decimal("3.0"))
    assert (rows["ERP"]["created"], rows["ERP"]["resolved"], rows["ERP"]["open_now"]) == (6, 3, 3)
    assert rows["BACKUP"] == {
        "service": "BACKUP",
        "created": 0,
        "resolved": 0,
        "open_now": 0,
        "completion_rate": Decimal("0.0"),
        "mttr_hours": None,
    }


def test_incidents_by_root_cause_and_recurring_patterns(tenant):
    for day in ("2026-03-03", "2026-03-12", "2026-03-20"):
        add_sr(tenant, f"{day} 10:00", f"{day} 14:00", type="INCIDENT", priority="P2", service="MES", root_cause="DB 락 경합")
    add_sr(tenant, "2026-03-05 10:00", type="INCIDENT", priority="P1", service="ERP", root_cause="인증서 만료")
    add_sr(tenant, "2026-03-06 10:00", type="INCIDENT", service="ERP", root_cause=" ")
    add_sr(tenant, "2026-02-10 10:00", type="INCIDENT", service="MES", root_cause="DB 락 경합")  # previous period
    add_sr(tenant, "2026-03-07 10:00", type="REQUEST", service="MES", root_cause="DB 락 경합")  # not an incident
    window = metrics.window_for(tenant, *MARCH)
    causes = metrics.incidents_by_root_cause(window)
    assert [(c["root_cause"], c["count"]) for c in causes] == [("DB 락 경합", 3), ("인증서 만료", 1), (None, 1)]
    assert causes[0]["share"] == Decimal("60.0") and causes[0]["severe"] == 3 and causes[0]["mean_hours"] == Decimal("4.0")
    patterns = metrics.recurring_patterns(window)
    assert [(p["service"], p["root_cause"], p["count"], p["previous_count"]) for p in patterns] == [("MES", "DB 락 경합", 3, 1)]
