"""Demo FinOps data: 12 months of costs for every service and category, budgets, servers, and one clear anomaly."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import func, select

from ..analytics.periods import add_months, current_month
from ..extensions import db
from ..models import BUDGET_SCOPE_ALL, CATEGORIES, Budget, CostEntry, Server, ServerMetric, User
from .service import unused_codes

# Typical monthly cost (₩10,000 units) per service and category, in CATEGORIES order:
# SERVER, NETWORK, STORAGE, LICENSE, MAINTENANCE, PERSONNEL, OTHER
BASE = {
    "MES": (320, 80, 110, 250, 180, 400, 30),
    "ERP": (280, 60, 90, 420, 220, 350, 20),
    "GROUPWARE": (120, 40, 60, 180, 70, 150, 15),
    "SECURITY": (90, 50, 30, 210, 120, 180, 10),
    "INFRA": (450, 260, 180, 60, 150, 300, 40),
    "BACKUP": (70, 20, 240, 40, 60, 60, 10),
    "OTHER": (30, 20, 10, 25, 20, 40, 35),
}
DESCRIPTIONS = {
    "SERVER": "{service} 서버 운영(호스팅·전력)",
    "NETWORK": "{service} 회선·통신 요금",
    "STORAGE": "{service} 스토리지 사용료",
    "LICENSE": "{service} 소프트웨어 라이선스(월 분할)",
    "MAINTENANCE": "{service} 유지보수 용역",
    "PERSONNEL": "{service} 운영 인력",
    "OTHER": "{service} 기타 소모품",
}
SERVERS = (
    ("mes-app-01", "MES", "42"),
    ("erp-db-01", "ERP", "58"),
    ("gw-web-01", "GROUPWARE", "27"),
    ("legacy-batch-01", "INFRA", "4.5"),
)


def seed_finops(tenant, echo=print) -> None:
    """Add the demo costs once: nothing happens when the tenant already has costs."""
    if db.session.scalar(select(func.count()).select_from(CostEntry).where(CostEntry.tenant_id == tenant.id)):
        echo("demo costs already present")
        return
    author = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.role == "ADMIN").order_by(User.id))
    rng = random.Random(20250101)
    this_year, this_month = current_month(tenant.timezone)
    months = [add_months(this_year, this_month, offset) for offset in range(-11, 1)]
    servers = _servers(tenant, months)
    entries, totals = [], {}
    codes = iter(unused_codes(tenant.id, tenant.timezone, len(months) * (len(BASE) * len(CATEGORIES) + 1)))
    for index, (year, month) in enumerate(months):
        growth = Decimal(1) + Decimal(index) / 200  # a gentle half-percent climb per month
        for service, amounts in BASE.items():
            for category, base in zip(CATEGORIES, amounts, strict=False):
                amount = Decimal(base * 10_000) * growth * Decimal(rng.uniform(0.94, 1.06))
                if (year, month) == months[-1] and service == "SECURITY" and category == "LICENSE":
                    amount *= Decimal("3.2")  # the clear anomaly: a new security solution licence this month
                amount = (amount / 1000).quantize(Decimal("1")) * 1000
                server = servers.get(service) if category == "SERVER" else None
                entries.append(
                    CostEntry(
                        tenant_id=tenant.id,
                        code=next(codes),
                        year=year,
                        month=month,
                        category=category,
                        service=service,
                        amount=amount,
                        description=DESCRIPTIONS[category].format(service=service),
                        department="IT",
                        server_id=server.id if server else None,
                        created_by_id=author.id if author else None,
                    )
                )
                totals[(year, month)] = totals.get((year, month), Decimal(0)) + amount
        legacy = servers["legacy"]
        entries.append(
            CostEntry(
                tenant_id=tenant.id,
                code=next(codes),
                year=year,
                month=month,
                category="SERVER",
                service="INFRA",
                amount=Decimal("850000"),
                description="레거시 배치 서버 운영",
                department="IT",
                server_id=legacy.id,
                created_by_id=author.id if author else None,
            )
        )
        totals[(year, month)] += Decimal("850000")
    db.session.add_all(entries)
    _budgets(tenant, months, totals, author)
    db.session.commit()
    echo(f"created {len(entries)} demo costs, budgets and {len(SERVERS)} servers")


def _servers(tenant, months) -> dict:
    """Servers with 12 months of utilisation; the legacy batch server idles under 10 % CPU."""
    found = {}
    rng = random.Random(7)
    for name, service, cpu in SERVERS:
        server = Server(tenant_id=tenant.id, name=name, service=service, description="")
        db.session.add(server)
        db.session.flush()
        for year, month in months:
            level = Decimal(cpu) + Decimal(str(round(rng.uniform(-1.5, 1.5), 2)))
            db.session.add(
                ServerMetric(
                    tenant_id=tenant.id,
                    server_id=server.id,
                    year=year,
                    month=month,
                    cpu_avg=max(level, Decimal("1")),
                    memory_avg=Decimal("55.00"),
                    disk_avg=Decimal("61.00"),
                )
            )
        found["legacy" if name.startswith("legacy") else service] = server
    return found


def _budgets(tenant, months, totals, author) -> None:
    """An institution budget every month (about 4 % headroom) and service budgets for ERP, MES and SECURITY."""
    for year, month in months:
        total = totals[(year, month)]
        headroom = Decimal("1.04") if (year, month) != months[-1] else Decimal("0.99")
        db.session.add(
            Budget(
                tenant_id=tenant.id,
                year=year,
                month=month,
                service=BUDGET_SCOPE_ALL,
                amount=(total * headroom / 1_000_000).quantize(Decimal("1")) * 1_000_000,
                created_by_id=author.id if author else None,
            )
        )
        for service, amount in (("ERP", "15500000"), ("MES", "14200000"), ("SECURITY", "7500000")):
            db.session.add(
                Budget(
                    tenant_id=tenant.id,
                    year=year,
                    month=month,
                    service=service,
                    amount=Decimal(amount),
                    created_by_id=author.id if author else None,
                )
            )
