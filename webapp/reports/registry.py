"""The report templates of SPEC §5.1: code, Korean name, default period, the formats offered and who may use them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..auth.roles import EVERYONE, FINOPS
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
    # SPEC §2: everyone may use the SR-based reports; reports built on cost data are ADMIN/PM only.
    roles: tuple[str, ...] = EVERYONE

    def offers(self, fmt: str) -> bool:
        """True when the template can be produced in this format."""
        return fmt in self.formats

    def allows(self, user) -> bool:
        """True when the user's role may use the template: see it, generate it, print it and read its reports."""
        return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*self.roles))


TEMPLATES: dict[str, ReportTemplate] = {
    t.code: t
    for t in (
        ReportTemplate("weekly_ops", "주간 운영 보고서", _l("Weekly operations report"), WEEKLY, ("excel", "pdf")),
        ReportTemplate("monthly_sla", "월간 SLA 보고서", _l("Monthly SLA report"), MONTHLY, ("excel", "pdf")),
        ReportTemplate("incident_rca", "인시던트 분석", _l("Incident analysis"), MONTHLY, ("pdf",)),
        # capacity_plan shows server and storage cost figures: it is built on cost data too.
        ReportTemplate("capacity_plan", "용량 계획 보고서", _l("Capacity planning report"), QUARTERLY, ("excel",), roles=FINOPS),
        ReportTemplate(
            "monthly_cost",
            "월간 IT 비용 보고서",
            _l("Monthly IT cost report"),
            MONTHLY,
            ("excel", "pdf"),
            sr_based=False,
            roles=FINOPS,
        ),
    )
}


def templates_for(user) -> dict[str, ReportTemplate]:
    """The templates the user may use, in the registry's order."""
    return {code: template for code, template in TEMPLATES.items() if template.allows(user)}
