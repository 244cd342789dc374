"""Fixtures for report tests: a month of SRs with figures worked out by hand."""

import pytest

from ..factories import add_budget, add_cost, add_server, add_sr


@pytest.fixture
def march(tenant):
    """Ten SRs around March 2026 (Asia/Seoul; SLA P1 4 h, P2 8 h, P3 24 h, P4 72 h)."""
    return {
        "A": add_sr(tenant, "2026-03-02 09:00", "2026-03-02 12:00", priority="P1", service="MES"),  # 3 h, met
        "B": add_sr(tenant, "2026-03-10 10:00", "2026-03-11 10:00", priority="P3"),  # 24 h, exactly the target: met
        "C": add_sr(tenant, "2026-03-30 20:00", "2026-03-31 23:30", priority="P2"),  # 27.5 h, resolved 23:30 on the last day
        "D": add_sr(tenant, "2026-02-28 22:00", "2026-03-01 00:30", priority="P1"),  # created before, resolved in March: 2.5 h
        "E": add_sr(tenant, "2026-03-31 23:59", priority="P4"),  # open, created in the last minute
        "F": add_sr(tenant, "2026-04-01 00:00"),  # open, after the period (still March in UTC)
        "G": add_sr(tenant, "2026-03-01 00:00", status="IN_PROGRESS"),  # first instant of the period (February in UTC)
        "H": add_sr(tenant, "2026-03-15 09:00", "2026-04-01 00:10", priority="P4"),  # resolved after the period
        "I": add_sr(tenant, "2026-02-28 23:59", status="CANCELLED"),  # before the period (same UTC date as G)
        "J": add_sr(tenant, "2026-03-05 11:00", status="CANCELLED"),
    }


@pytest.fixture
def costs(db, tenant):
    """February and March 2026 costs, a March budget and an idle server (figures worked out in the tests)."""
    idle = add_server(tenant, "idle-01", year=2026, month=3, cpu="5", service="MES", memory="30", disk="40")
    for month, category, service, amount, server, description in [
        (2, "LICENSE", "ERP", 3_000_000, None, "ERP 라이선스"),
        (2, "SERVER", "MES", 2_000_000, None, "MES 서버"),
        (3, "LICENSE", "ERP", 4_000_000, None, "ERP 라이선스"),
        (3, "SERVER", "MES", 3_500_000, idle, "=1+2"),
        (3, "MAINTENANCE", "INFRA", 1_000_000, None, "인프라 유지보수"),
    ]:
        add_cost(tenant, 2026, month, category, service, amount, server=server, description=description, commit=False)
    add_budget(tenant, 2026, 3, 8_000_000)
