"""Helpers shared by the FinOps tests: write costs, budgets and server metrics straight to the database."""

from __future__ import annotations

from decimal import Decimal

from webapp.extensions import db
from webapp.models import Budget, CostEntry, Server, ServerMetric, Tenant, new_cost_code


def add_cost(
    tenant: Tenant,
    year: int,
    month: int,
    category: str,
    service: str,
    amount,
    *,
    server: Server | None = None,
    description: str = "",
    commit: bool = True,
) -> CostEntry:
    """One cost entry of the tenant."""
    entry = CostEntry(
        tenant_id=tenant.id,
        code=new_cost_code(),
        year=year,
        month=month,
        category=category,
        service=service,
        amount=Decimal(str(amount)),
        description=description,
        server_id=server.id if server else None,
        department="IT",
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


def add_budget(tenant: Tenant, year: int, month: int, amount, service: str = "ALL") -> Budget:
    """One budget of the tenant."""
    budget = Budget(tenant_id=tenant.id, year=year, month=month, service=service, amount=Decimal(str(amount)))
    db.session.add(budget)
    db.session.commit()
    return budget


def add_server(tenant: Tenant, name: str, *, year: int, month: int, cpu, service: str = "INFRA") -> Server:
    """A server with one month's average CPU utilisation."""
    server = Server(tenant_id=tenant.id, name=name, service=service, description="")
    db.session.add(server)
    db.session.flush()
    db.session.add(
        ServerMetric(
            tenant_id=tenant.id,
            server_id=server.id,
            year=year,
            month=month,
            cpu_avg=Decimal(str(cpu)),
            memory_avg=Decimal("40"),
            disk_avg=Decimal("50"),
        )
    )
    db.session.commit()
    return server
