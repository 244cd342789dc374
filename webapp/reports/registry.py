"""The report templates of SPEC §5.1: code, Korean name, default period and the formats offered."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .periods import MONTHLY, QUARTERLY, WEEKLY

FORMATS = ("excel", "pdf")
FILE_TYPES = {
    "excel": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("pdf", "application/pdf"),
}


@dataclass(frozen=True)
class ReportTemplate:
    """One kind of report."""

    code: str
    name: str  # the Korean name of SPEC §5.1 (API field `name`)
    label: object  # the same name in the UI language
    period: str  # WEEKLY / MONTHLY / QUARTERLY
    formats: tuple[str, ...]
    sr_based: bool = True

    def offers(self, fmt: str) -> bool:
        """True when the template can be produced in this format."""
        return fmt in self.formats


TEMPLATES: dict[str, ReportTemplate] = {
    t.code: t
    for t in (
        ReportTemplate("weekly_ops", "주간 운영 보고서", _l("Weekly operations report"), WEEKLY, ("excel", "pdf")),
        ReportTemplate("monthly_sla", "월간 SLA 보고서", _l("Monthly SLA report"), MONTHLY, ("excel", "pdf")),
        ReportTemplate("incident_rca", "인시던트 분석", _l("Incident analysis"), MONTHLY, ("pdf",)),
        ReportTemplate("capacity_plan", "용량 계획 보고서", _l("Capacity planning report"), QUARTERLY, ("excel",)),
        ReportTemplate("monthly_cost", "월간 IT 비용 보고서", _l("Monthly IT cost report"), MONTHLY, ("excel", "pdf"), sr_based=False),
    )
}
