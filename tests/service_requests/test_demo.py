"""The demo year of SRs: realistic mix, SLA breaches, incidents with root causes, and idempotent seeding."""

from datetime import timedelta

from sqlalchemy import func, select

from webapp.models import SR_PRIORITIES, SR_TYPES, ServiceRequest, utcnow
from webapp.reports import metrics
from webapp.service_requests.demo import seed_service_requests


def test_seeding_a_year_of_srs_twice_adds_them_once(db, tenant):
    added = seed_service_requests(tenant, echo=lambda *_: None)
    assert 2500 < added < 4500
    assert seed_service_requests(tenant, echo=lambda *_: None) == 0
    count = db.session.scalar(select(func.count()).select_from(ServiceRequest).where(ServiceRequest.tenant_id == tenant.id))
    assert count == added

    first, last = db.session.execute(select(func.min(ServiceRequest.created_at), func.max(ServiceRequest.created_at))).one()
    assert last - first > timedelta(days=360) and last <= utcnow()
    assert set(db.session.scalars(select(ServiceRequest.type).distinct())) == set(SR_TYPES)
    assert set(db.session.scalars(select(ServiceRequest.priority).distinct())) == set(SR_PRIORITIES)
    assert set(db.session.scalars(select(ServiceRequest.status).distinct())) >= {"DONE", "CANCELLED", "OPEN"}
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.status == "DONE", ServiceRequest.resolved_at.is_(None))
        )
        == 0
    )


def test_demo_data_has_breaches_and_root_causes(db, tenant):
    seed_service_requests(tenant, echo=lambda *_: None)
    today = utcnow().date()
    window = metrics.window_for(tenant, today - timedelta(days=120), today)
    totals = metrics.sla_totals(metrics.sla_by_priority(window))
    assert 80 < totals["compliance"] < 97 and totals["breached"] > 10
    causes = metrics.incidents_by_root_cause(window)
    assert len([c for c in causes if c["root_cause"]]) >= 8
    assert metrics.recurring_patterns(window)
