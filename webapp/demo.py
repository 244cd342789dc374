"""The demo tenant: users now, and each area's demo data as it is added."""

from __future__ import annotations

from sqlalchemy import select

from .admin.service import create_user
from .extensions import db
from .models import Tenant, User

DEMO_SLUG = "demo"
DEMO_USERS = (
    ("admin", "ADMIN", "demo-admin-1234"),
    ("pm", "PM", "demo-pm-1234"),
    ("staff", "STAFF", "demo-staff-1234"),
)


def seed_demo(only_if_missing: bool = False, echo=print) -> Tenant:
    """Create the demo tenant and users, then each area's data; never duplicates anything."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    if tenant is not None and only_if_missing:
        echo("demo tenant already present")
        return tenant
    if tenant is None:
        tenant = Tenant(
            slug=DEMO_SLUG, name="데모 기관 정보화담당관실", currency="KRW", timezone="Asia/Seoul", locale="ko", settings={}
        )
        db.session.add(tenant)
        db.session.flush()
        echo("created tenant demo")
    db.session.commit()
    for username, role, password in DEMO_USERS:
        if db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username)) is None:
            create_user(
                tenant,
                {"username": username, "email": f"{username}@demo.example.kr", "role": role, "password": password},
                via="demo",
            )
            echo(f"created user {username}")
    for seeder in area_seeders():
        seeder(tenant, echo)
        db.session.commit()
    return tenant


def area_seeders():
    """Each area's demo-data function, in order; each one must be idempotent."""
    from .costs.demo import seed_finops
    from .schedules.demo import seed_schedules
    from .service_requests.demo import seed_service_requests

    return [seed_finops, seed_service_requests, seed_schedules]
