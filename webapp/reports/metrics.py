"""SR figures of SPEC §5.3, computed in SQL for one tenant and one period in the tenant's time zone.

A period [start, end] covers start 00:00 to the end of the end day in the tenant zone
(`Window.lower` ≤ t < `Window.upper`).  "Resolved in the period" means status DONE with
resolved_at inside the window; "open now" means OPEN or IN_PROGRESS at the time of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from ..analytics.periods import percent
from ..extensions import db
from ..models import SERVICES, SR_PRIORITIES, ServiceRequest, UTCDateTime, utcnow
from ..service_requests.service import sla_targets
from .periods import days_in, utc_bounds
from .sql import local_date, seconds_between

OPEN_STATUSES = ("OPEN", "IN_PROGRESS")
SR = ServiceRequest


def one_decimal(value) -> Decimal:
    """Round half up to one decimal place (the way people round percentages and hours)."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours(seconds) -> Decimal | None:
    """Seconds as hours with one decimal (None stays None)."""
    return None if seconds is None else one_decimal(Decimal(str(seconds)) / 3600)


@dataclass(frozen=True)
class Window:
    """One tenant's report period with its UTC bounds."""

    tenant_id: int
    zone: str
    start: date
    end: date
    sla_hours: dict = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[lower, upper) in UTC."""
        return utc_bounds(self.start, self.end, self.zone)

    def created_in(self):
        """SRs of the tenant created in the period."""
        lower, upper = self.bounds
        return and_(SR.tenant_id == self.tenant_id, SR.created_at >= lower, SR.created_at < upper)

    def resolved_in(self):
        """SRs of the tenant resolved (DONE) in the period."""
        lower, upper = self.bounds
        return and_(SR.tenant_id == self.tenant_id, SR.status == "DONE", SR.resolved_at >= lower, SR.resolved_at < upper)

    def open_now(self):
        """SRs of the tenant that are OPEN or IN_PROGRESS."""
        return and_(SR.tenant_id == self.tenant_id, SR.status.in_(OPEN_STATUSES))

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        length = (self.end - self.start).days + 1
        return Window(
            self.tenant_id,
            self.zone,
            self.start - timedelta(days=length),
            self.start - timedelta(days=1),
            self.sla_hours,
            self.now,
        )

    def target_seconds(self):
        """The SLA target of each SR's priority, in seconds, as a SQL expression."""
        return case({p: int(self.sla_hours.get(p, 0)) * 3600 for p in SR_PRIORITIES}, value=SR.priority, else_=None)


def window_for(tenant, start: date, end: date, now: datetime | None = None) -> Window:
    """The window of a tenant's period, with its SLA targets."""
    return Window(tenant.id, tenant.timezone, start, end, sla_targets(tenant), now or utcnow())


RESOLUTION_SECONDS = seconds_between(SR.created_at, SR.resolved_at)


def sr_summary(window: Window) -> dict:
    """Created, resolved, open now, completion rate and MTTR (hours) for the period."""
    created = db.session.scalar(select(func.count()).select_from(SR).where(window.created_in()))
    resolved, mean_seconds = db.session.execute(
        select(func.count(), func.avg(RESOLUTION_SECONDS)).where(window.resolved_in())
    ).one()
    open_now = db.session.scalar(select(func.count()).select_from(SR).where(window.open_now()))
    return {
        "created": created,
        "resolved": resolved,
        "open_now": open_now,
        "completion_rate": percent(resolved, created),
        "mttr_hours": hours(mean_seconds) if resolved else Decimal("0.0"),
    }


def resolved_created_in_period(window: Window) -> int:
    """Of the SRs resolved in the period, how many were also created in it (the rest were carried over)."""
    lower, upper = window.bounds
    return db.session.scalar(
        select(func.count()).select_from(SR).where(window.resolved_in(), SR.created_at >= lower, SR.created_at < upper)
    )


def per_service(window: Window) -> list[dict]:
    """The SR summary for each service (every known service listed, zero rows included)."""
    created = dict(db.session.execute(select(SR.service, func.count()).where(window.created_in()).group_by(SR.service)).all())
    resolved = {
        s: (n, avg)
        for s, n, avg in db.session.execute(
            select(SR.service, func.count(), func.avg(RESOLUTION_SECONDS)).where(window.resolved_in()).group_by(SR.service)
        )
    }
    open_now = dict(db.session.execute(select(SR.service, func.count()).where(window.open_now()).group_by(SR.service)).all())
    services = list(SERVICES) + sorted((set(created) | set(resolved) | set(open_now)) - set(SERVICES))
    rows = []
    for service in services:
        n_created = created.get(service, 0)
        n_resolved, mean_seconds = resolved.get(service, (0, None))
        rows.append(
            {
                "service": service,
                "created": n_created,
                "resolved": n_resolved,
                "open_now": open_now.get(service, 0),
                "completion_rate": percent(n_resolved, n_created),
                "mttr_hours": hours(mean_seconds) if n_resolved else None,
            }
        )
    return rows


def daily_trend(window: Window) -> list[dict]:
    """SRs created and resolved on each day of the period (tenant-local days)."""
    created_day = local_date(SR.created_at, literal(window.zone))
    resolved_day = local_date(SR.resolved_at, literal(window.zone))
    created = dict(db.session.execute(select(created_day, func.count()).where(window.created_in()).group_by(created_day)).all())
    resolved = dict(
        db.session.execute(select(resolved_day, func.count()).where(window.resolved_in()).group_by(resolved_day)).all()
    )
    return [
        {"day": day, "created": created.get(day, 0), "resolved": resolved.get(day, 0)}
        for day in days_in(window.start, window.end)
    ]


DAY, WEEK, MONTH = "day", "week", "month"
WEEKLY_TREND_AFTER_DAYS = 62  # a longer period shows its trend per week …
MONTHLY_TREND_AFTER_DAYS = 366  # … and one longer than a year per month


def trend_grain(start: date, end: date) -> str:
    """How a period's trend is grouped: per day, per week (> 62 days) or per month (> 1 year)."""
    days = (end - start).days + 1
    if days > MONTHLY_TREND_AFTER_DAYS:
        return MONTH
    if days > WEEKLY_TREND_AFTER_DAYS:
        return WEEK
    return DAY


def group_trend(daily: list[dict], grain: str) -> list[dict]:
    """The daily rows summed per week (Monday first) or per calendar month.

    Each row: `start` and `end` (the part of the week or month inside the period), created, resolved.
    """
    groups: list[dict] = []
    for row in daily:
        day = row["day"]
        if grain == WEEK:
            key = day - timedelta(days=day.weekday())
        elif grain == MONTH:
            key = day.replace(day=1)
        else:
            key = day
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "start": day, "end": day, "created": 0, "resolved": 0})
        group = groups[-1]
        group["end"] = day
        group["created"] += row["created"]
        group["resolved"] += row["resolved"]
    return [{k: v for k, v in g.items() if k != "key"} for g in groups]


def counts_by(window: Window, column, *conditions) -> dict[str, int]:
    """SRs created in the period (and matching the conditions) per value of a column (type, priority...)."""
    return dict(db.session.execute(select(column, func.count()).where(window.created_in(), *conditions).group_by(column)).all())


def sla_by_priority(window: Window) -> list[dict]:
    """Per priority: target hours, resolved, met, breached, compliance %, mean hours, and open SRs already overdue."""
    target = window.target_seconds()
    met = func.sum(case((RESOLUTION_SECONDS <= target, 1), else_=0))
    resolved = {
        p: (n, m, avg)
        for p, n, m, avg in db.session.execute(
            select(SR.priority, func.count(), met, func.avg(RESOLUTION_SECONDS)).where(window.resolved_in()).group_by(SR.priority)
        )
    }
    overdue = dict(db.session.execute(select(SR.priority, func.count()).where(open_overdue(window)).group_by(SR.priority)).all())
    rows = []
    for priority in SR_PRIORITIES:
        n, n_met, mean_seconds = resolved.get(priority, (0, 0, None))
        n_met = int(n_met or 0)
        rows.append(
            {
                "priority": priority,
                "target_hours": window.sla_hours.get(priority),
                "resolved": n,
                "met": n_met,
                "breached": n - n_met,
                "compliance": percent(n_met, n) if n else None,
                "mean_hours": hours(mean_seconds) if n else None,
                "open_overdue": overdue.get(priority, 0),
            }
        )
    return rows


def sla_totals(rows: list[dict]) -> dict:
    """Totals over the priority rows: resolved, met, breached, overall compliance, open overdue."""
    resolved = sum(r["resolved"] for r in rows)
    met = sum(r["met"] for r in rows)
    return {
        "resolved": resolved,
        "met": met,
        "breached": resolved - met,
        "compliance": percent(met, resolved) if resolved else None,
        "open_overdue": sum(r["open_overdue"] for r in rows),
    }


def _open_age(window: Window):
    """Seconds an SR has been open, up to the time of the run."""
    return seconds_between(SR.created_at, literal(window.now, UTCDateTime()))


def resolved_late(window: Window):
    """SRs resolved in the period after their priority's SLA target."""
    return and_(window.resolved_in(), RESOLUTION_SECONDS > window.target_seconds())


def open_overdue(window: Window):
    """SRs created in the period that are still open and already past their SLA target at the time of the run."""
    return and_(window.created_in(), SR.status.in_(OPEN_STATUSES), _open_age(window) > window.target_seconds())


BREACH_COLUMNS = (SR.code, SR.title, SR.type, SR.priority, SR.service, SR.status, SR.assignee, SR.created_at, SR.resolved_at)


def iter_breaches(window: Window, limit: int | None = None) -> Iterator[dict]:
    """SLA breaches: SRs resolved in the period over their target, then open SRs of the period already past it.

    Each: the SR's fields, `elapsed_hours`, `target_hours`, `over_hours`; largest overrun first within each group.
    """
    target = window.target_seconds()
    age = _open_age(window)
    queries = (
        select(*BREACH_COLUMNS, RESOLUTION_SECONDS.label("elapsed"), target.label("target"))
        .where(resolved_late(window))
        .order_by((RESOLUTION_SECONDS - target).desc(), SR.code),
        select(*BREACH_COLUMNS, age.label("elapsed"), target.label("target"))
        .where(open_overdue(window))
        .order_by((age - target).desc(), SR.code),
    )
    remaining = limit
    for query in queries:
        if remaining is not None:
            if remaining <= 0:
                return
            query = query.limit(remaining)
        for row in db.session.execute(query.execution_options(yield_per=2000)):
            if remaining is not None:
                remaining -= 1
            yield {
                "code": row.code,
                "title": row.title,
                "type": row.type,
                "priority": row.priority,
                "service": row.service,
                "status": row.status,
                "assignee": row.assignee,
                "created_at": row.created_at,
                "resolved_at": row.resolved_at,
                "elapsed_hours": hours(row.elapsed),
                "target_hours": hours(row.target),
                "over_hours": hours(row.elapsed - row.target),
            }


def count_breaches(window: Window) -> int:
    """How many breaches iter_breaches() yields."""
    return db.session.scalar(select(func.count()).select_from(SR).where(or_(resolved_late(window), open_overdue(window))))


SR_DETAIL_COLUMNS = (
    SR.code,
    SR.title,
    SR.type,
    SR.priority,
    SR.status,
    SR.service,
    SR.assignee,
    SR.root_cause,
    SR.created_at,
    SR.resolved_at,
    SR.description,
)


def iter_created(window: Window, *conditions, limit: int | None = None) -> Iterator:
    """SRs created in the period (oldest first), streamed in batches, with their resolution seconds."""
    query = (
        select(*SR_DETAIL_COLUMNS, RESOLUTION_SECONDS.label("seconds"))
        .where(window.created_in(), *conditions)
        .order_by(SR.created_at, SR.id)
    )
    if limit is not None:
        query = query.limit(limit)
    yield from db.session.execute(query.execution_options(yield_per=2000))


# --- incidents ---------------------------------------------------------------------------------

INCIDENT = "INCIDENT"


def incidents_by_root_cause(window: Window) -> list[dict]:
    """Incidents created in the period per root cause (None = not recorded): count, P1/P2, resolved, mean hours."""
    cause = func.nullif(func.trim(SR.root_cause), "")
    severe = func.sum(case((SR.priority.in_(("P1", "P2")), 1), else_=0))
    done = func.sum(case((SR.status == "DONE", 1), else_=0))
    mean = func.avg(case((SR.status == "DONE", RESOLUTION_SECONDS), else_=None))
    rows = db.session.execute(
        select(cause.label("cause"), func.count(), severe, done, mean, func.count(func.distinct(SR.service)))
        .where(window.created_in(), SR.type == INCIDENT)
        .group_by(cause)
    ).all()
    rows = sorted(rows, key=lambda r: (-r[1], r[0] is None, r[0] or ""))  # most frequent first, "not recorded" last
    total = sum(r[1] for r in rows)
    return [
        {
            "root_cause": c,
            "count": n,
            "share": percent(n, total),
            "severe": int(s or 0),
            "resolved": int(d or 0),
            "mean_hours": hours(m) if d else None,
            "services": svc,
        }
        for c, n, s, d, m, svc in rows
    ]


def recurring_patterns(window: Window, minimum: int = 2) -> list[dict]:
    """The same root cause on the same service at least `minimum` times in the period, with the previous period's count."""
    cause = func.trim(SR.root_cause)
    base = (SR.type == INCIDENT, SR.root_cause.is_not(None), cause != "")
    rows = db.session.execute(
        select(SR.service, cause.label("cause"), func.count(), func.min(SR.created_at), func.max(SR.created_at))
        .where(window.created_in(), *base)
        .group_by(SR.service, cause)
        .having(func.count() >= minimum)
        .order_by(func.count().desc(), SR.service, cause)
    ).all()
    previous_window = window.previous()
    previous = {
        (s, c): n
        for s, c, n in db.session.execute(
            select(SR.service, cause, func.count()).where(previous_window.created_in(), *base).group_by(SR.service, cause)
        )
    }
    return [
        {"service": s, "root_cause": c, "count": n, "first_at": first, "last_at": last, "previous_count": previous.get((s, c), 0)}
        for s, c, n, first, last in rows
    ]
