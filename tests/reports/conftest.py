"""Fixtures for report tests: a month of SRs with figures worked out by hand."""

import pytest

from .helpers import add_sr


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
    from decimal import Decimal

    from webapp.models import Budget, CostEntry, Server, ServerMetric, new_cost_code

    idle = Server(tenant_id=tenant.id, name="idle-01", service="MES", description="")
    db.session.add(idle)
    db.session.flush()
    db.session.add(
        ServerMetric(
            tenant_id=tenant.id,
            server_id=idle.id,
            year=2026,
            month=3,
            cpu_avg=Decimal("5"),
            memory_avg=Decimal("30"),
            disk_avg=Decimal("40"),
        )
    )
    for month, category, service, amount, server, description in [
        (2, "LICENSE", "ERP", 3_000_000, None, "ERP 라이선스"),
        (2, "SERVER", "MES", 2_000_000, None, "MES 서버"),
        (3, "LICENSE", "ERP", 4_000_000, None, "ERP 라이선스"),
        (3, "SERVER", "MES", 3_500_000, idle, "=1+2"),
        (3, "MAINTENANCE", "INFRA", 1_000_000, None, "인프라 유지보수"),
    ]:
        db.session.add(
            CostEntry(
                tenant_id=tenant.id,
                code=new_cost_code(),
                year=2026,
                month=month,
                category=category,
                service=service,
                amount=Decimal(amount),
                description=description,
                server_id=server.id if server else None,
                department="IT",
            )
        )
    db.session.add(Budget(tenant_id=tenant.id, year=2026, month=3, service="ALL", amount=Decimal(8_000_000)))
    db.session.commit()
