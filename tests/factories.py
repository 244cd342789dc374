"""Every test builder in one place: tenants and users, costs, budgets, servers, SRs, reports, schedules, import files.

Builders write straight to the database (no validation, no audit) and commit, so the test then reads what a
request would; the file builders return bytes. Fixtures (`factory`, `make_schedule`…) live in the conftests.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    Budget,
    CostEntry,
    Report,
    Server,
    ServerMetric,
    ServiceRequest,
    Tenant,
    User,
    new_cost_code,
    utcnow,
)
from webapp.models.schedules import ReportSchedule

PASSWORD = "correct-horse-9"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
_numbers = itertools.count(1)


# --- tenants and users -------------------------------------------------------------------------


@dataclass
class Factory:
    """Small helpers that create tenants and users directly in the database (the `factory` fixture)."""

    def tenant(self, slug: str = "acme", name: str = "에이크미 기관", timezone: str = "Asia/Seoul") -> Tenant:
        """A tenant with default settings."""
        tenant = Tenant(slug=slug, name=name, timezone=timezone, currency="KRW", locale="ko", settings={})
        db.session.add(tenant)
        db.session.commit()
        return tenant

    def user(self, tenant: Tenant, username: str, role: str = "PM", password: str = PASSWORD, active: bool = True) -> User:
        """A user of the tenant."""
        user = User(
            tenant_id=tenant.id, username=username, email=f"{username}@{tenant.slug}.example.kr", role=role, active=active
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user


# --- FinOps: costs, budgets, servers -----------------------------------------------------------


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
    charge_category: str | None = None,
    commit: bool = True,
) -> CostEntry:
    """One cost entry of the tenant (`charge_category` as an imported FOCUS bill line has; None as typed in)."""
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
        charge_category=charge_category,
        line_count=1 if charge_category else None,
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


def add_server(
    tenant: Tenant, name: str, *, year: int, month: int, cpu, service: str = "INFRA", memory="40", disk="50"
) -> Server:
    """A server with one month's average CPU (memory, disk) utilisation."""
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
            memory_avg=Decimal(str(memory)),
            disk_avg=Decimal(str(disk)),
        )
    )
    db.session.commit()
    return server


# --- service requests and reports --------------------------------------------------------------


def local(text: str, zone: str = "Asia/Seoul") -> datetime:
    """'2026-03-31 23:30' in the zone, as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def add_sr(
    tenant,
    created: str,
    resolved: str | None = None,
    *,
    status: str | None = None,
    type: str = "REQUEST",
    priority: str = "P3",
    service: str = "ERP",
    root_cause: str | None = None,
    title: str = "테스트 요청",
    description: str = "",
    zone: str | None = None,
) -> ServiceRequest:
    """An SR created (and resolved) at tenant-local times; status DONE when resolved, else OPEN."""
    zone = zone or tenant.timezone
    sr = ServiceRequest(
        tenant_id=tenant.id,
        code=f"SR-T-{next(_numbers):05d}",
        title=title,
        type=type,
        priority=priority,
        service=service,
        status=status or ("DONE" if resolved else "OPEN"),
        root_cause=root_cause,
        description=description,
        created_at=local(created, zone),
        resolved_at=local(resolved, zone) if resolved else None,
    )
    db.session.add(sr)
    db.session.commit()
    return sr


def add_report(tenant, status: str = "QUEUED", *, template: str = "weekly_ops", fmt: str = "excel", **fields) -> Report:
    """A stored report row of the tenant for March 2026, as given (no job builds it)."""
    report = Report(
        tenant_id=tenant.id, template=template, period_start=MARCH[0], period_end=MARCH[1], format=fmt, status=status, **fields
    )
    db.session.add(report)
    db.session.commit()
    return report


def add_schedule(tenant, **values) -> ReportSchedule:
    """A schedule of the tenant (no validation), owned by its PM (or its first user), due in a day unless told."""
    tenant_id = values.get("tenant_id", tenant.id)
    owner = db.session.scalar(select(User).where(User.tenant_id == tenant_id, User.role == "PM")) or db.session.scalar(
        select(User).where(User.tenant_id == tenant_id)
    )
    fields = {
        "tenant_id": tenant.id,
        "name": "",
        "template": "weekly_ops",
        "cron": "0 9 * * 1",
        "timezone": "Asia/Seoul",
        "format": "excel",
        "recipients": ["cio@example.kr", "ops@example.kr"],
        "active": True,
        "skip_when_empty": False,
        "owner_id": owner.id if owner else None,
        "next_run_at": utcnow() + timedelta(days=1),
    }
    fields.update(values)
    schedule = ReportSchedule(**fields)
    db.session.add(schedule)
    db.session.commit()
    return schedule


# --- import files ------------------------------------------------------------------------------


def csv_file(rows: list[list], encoding: str = "utf-8") -> bytes:
    """A CSV file of the rows in the encoding."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: list[list], title: str | None = None, cached: dict[str, str] | None = None) -> bytes:
    """A workbook; `title` goes in a merged row above the header; formula cells get the `cached` values
    ({"=A2*2": "2"}) as Excel would save them (openpyxl itself writes formulas without values)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if not cached:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, value in cached.items():
                    text = re.sub(
                        rf"<f>{re.escape(formula.lstrip('='))}</f><v\s*/?>(</v>)?",
                        f"<f>{formula.lstrip('=')}</f><v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return patched.getvalue()
