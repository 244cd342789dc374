"""A report's key figures in words, for the body of the e-mail that links to it (as report subscriptions show them).

They are read from the summary stored with the report (`Report.data_summary`), so the e-mail shows exactly
the figures of the file it links to: the period's SRs for every template (created, resolved, open, completion,
MTTR), SLA compliance where the template has it, and for the cost report the month's total, its change on the
previous month and the budget status.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..analytics.labels import label_functions
from ..formatting import money, number
from ..models import Report


@dataclass(frozen=True)
class Highlight:
    """One figure: what it is and how it reads."""

    label: str
    value: str


def _pct(value) -> str:
    return _("%(pct)s%%", pct=format_decimal(Decimal(str(value)), "#,##0.0")) if value is not None else "—"


def _change(value) -> str:
    if value is None:
        return _("no previous month")
    sign = "+" if Decimal(str(value)) > 0 else ""
    return sign + _pct(value)


def sr_highlights(summary: dict) -> list[Highlight]:
    """The five SR figures every template carries (the seed's names in data_summary)."""
    found = []
    if "sr_total" in summary:
        found += [
            Highlight(_("SRs created in the period"), number(summary["sr_total"])),
            Highlight(_("SRs resolved in the period"), number(summary["sr_done"])),
            Highlight(_("SRs open now"), number(summary["sr_open"])),
            Highlight(_("Completion rate"), _pct(summary["completion_rate"])),
            Highlight(_("MTTR (hours)"), format_decimal(Decimal(str(summary["mttr_hours"])), "#,##0.0")),
        ]
    if summary.get("sla_compliance") is not None:
        found.append(Highlight(_("SLA compliance"), _pct(summary["sla_compliance"])))
    return found


def cost_highlights(summary: dict, currency: str | None) -> list[Highlight]:
    """The cost report's month: total, change on the previous month, budget status and usage."""
    if "total_amount" not in summary:
        return []
    status_name = label_functions()["status_name"]
    found = [
        Highlight(_("Total cost of the month"), money(Decimal(str(summary["total_amount"])), currency)),
        Highlight(_("Change on the previous month"), _change(summary.get("mom_change_pct"))),
    ]
    if summary.get("budget_status"):
        status = status_name(summary["budget_status"])
        if summary.get("budget_usage_pct") is not None:
            status = _("%(status)s (%(pct)s of the budget)", status=status, pct=_pct(summary["budget_usage_pct"]))
        found.append(Highlight(_("Budget status"), status))
    return found


def report_highlights(report: Report, currency: str | None = None) -> list[Highlight]:
    """The key figures of a finished report: the cost report's month, or the period's SRs for the others."""
    summary = report.data_summary or {}
    return cost_highlights(summary, currency) or sr_highlights(summary)
