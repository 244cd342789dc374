"""ReportData: what one report shows — its request, the SR summary and its template's sections (a leaf module)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..jsonable import jsonable

if TYPE_CHECKING:
    from ..models import Tenant
    from .metrics import Window
    from .template import ReportTemplate

# The seed routers' names of the five SR figures (SPEC §7 data_summary) → the names used in this package.
SEED_SR_FIELDS = {
    "sr_total": "created",
    "sr_done": "resolved",
    "sr_open": "open_now",
    "completion_rate": "completion_rate",
    "mttr_hours": "mttr_hours",
}


@dataclass
class ReportData:
    """Everything one report shows: its request, the SR summary and the template's sections."""

    template: ReportTemplate
    tenant: Tenant
    start: date
    end: date
    generated_at: datetime
    window: Window | None = None
    summary: dict = field(default_factory=dict)
    sr_figures: dict = field(default_factory=dict)  # the period's SR summary, for every template (also in data_summary)
    sections: dict[str, Any] = field(default_factory=dict)
    highlights: dict = field(default_factory=dict)
    # Of the SRs resolved in the period, those also created in it: explains a completion rate above 100 %.
    resolved_created: int | None = None

    @property
    def period_text(self) -> str:
        """'2026-01-01 ~ 2026-01-31'."""
        return f"{self.start.isoformat()} ~ {self.end.isoformat()}"

    def data_summary(self) -> dict:
        """The JSON-safe summary stored with the report and returned by the API.

        Besides the template's own figures it carries the seed's sr_total, sr_done, sr_open,
        completion_rate and mttr_hours: the period's SR figures, also for monthly_cost.
        """
        seed = {seed_name: self.sr_figures[name] for seed_name, name in SEED_SR_FIELDS.items()}
        return jsonable(
            {
                "template": self.template.code,
                "period": {"start": self.start, "end": self.end},
                **self.summary,
                **{k: v for k, v in seed.items() if k not in self.summary},
                **self.highlights,
            }
        )
