"""The schedule list and a schedule's run history: the one way to read them, for the pages and the API.

Both are SELECTs (paged by the caller with webapp.pagination: `paginate()` on a page,
`api_page()` in the API) plus what the history shows beside each run (its e-mails and their summary).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from ..models.schedules import EmailDelivery, ReportSchedule, ScheduleRun
from ..reports.access import readable_templates
from .delivery import delivery_summary
from .describe import describe
from .service import deliveries_by_run, last_runs

SCHEDULES_PER_PAGE = 25
RUNS_PER_PAGE = 20


def schedule_list(tenant_id: int, user=None, *, by_id: bool = False) -> Select:
    """The tenant's schedules of the templates the user may use: active first, soonest next run first (or by id)."""
    query = select(ReportSchedule).where(
        ReportSchedule.tenant_id == tenant_id, ReportSchedule.template.in_(readable_templates(user))
    )
    if by_id:
        return query.order_by(ReportSchedule.id)
    return query.order_by(ReportSchedule.active.desc(), ReportSchedule.next_run_at, ReportSchedule.id)


def run_history(schedule_id: int) -> Select:
    """A schedule's runs, newest first."""
    return (
        select(ScheduleRun)
        .where(ScheduleRun.schedule_id == schedule_id)
        .order_by(ScheduleRun.scheduled_for.desc(), ScheduleRun.id.desc())
    )


@dataclass(frozen=True)
class ScheduleFacts:
    """What a list shows beside each schedule: its newest run and its cron in words."""

    last: dict[int, ScheduleRun]
    descriptions: dict[int, str]


def schedule_facts(schedules: list[ReportSchedule]) -> ScheduleFacts:
    """The newest run (one query) and the description of each schedule."""
    return ScheduleFacts(last=last_runs([s.id for s in schedules]), descriptions={s.id: describe(s.cron) for s in schedules})


@dataclass(frozen=True)
class RunFacts:
    """What the history shows beside each run: its e-mails and their count by status."""

    deliveries: dict[int, list[EmailDelivery]]
    summaries: dict[int, dict[str, int]]

    def in_progress(self, runs: list[ScheduleRun]) -> bool:
        """A run is still queued or has e-mails waiting (the history keeps polling)."""
        return any(run.status == "QUEUED" or self.summaries[run.id]["PENDING"] for run in runs)


def run_facts(runs: list[ScheduleRun]) -> RunFacts:
    """The e-mails of each run (one query) and their summary."""
    deliveries = deliveries_by_run([run.id for run in runs])
    return RunFacts(deliveries=deliveries, summaries={run_id: delivery_summary(items) for run_id, items in deliveries.items()})
