"""Demo schedules: a weekly operations report every Monday and a monthly SLA report on the 1st (idempotent)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Tenant, User
from ..models.schedules import ReportSchedule
from .service import next_run_after

DEMO_SCHEDULES = (
    ("주간 운영 보고 (정보화책임관)", "weekly_ops", "0 9 * * 1", "pdf", ["cio@demo.example.kr", "ops-team@demo.example.kr"]),
    ("월간 SLA 보고", "monthly_sla", "30 8 1 * *", "excel", ["sla@demo.example.kr"]),
)


def seed_schedules(tenant: Tenant, echo=print) -> None:
    """Add the demo schedules that are missing (matched by name), owned by the demo PM."""
    owner = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.role == "PM"))
    existing = set(db.session.scalars(select(ReportSchedule.name).where(ReportSchedule.tenant_id == tenant.id)))
    for name, template, cron, fmt, recipients in DEMO_SCHEDULES:
        if name in existing:
            continue
        schedule = ReportSchedule(
            tenant_id=tenant.id,
            name=name,
            template=template,
            cron=cron,
            timezone=tenant.timezone,
            format=fmt,
            recipients=recipients,
            active=True,
            skip_when_empty=False,
            owner_id=owner.id if owner else None,
        )
        schedule.next_run_at = next_run_after(schedule)
        db.session.add(schedule)
        echo(f"created schedule {name}")
    db.session.commit()
