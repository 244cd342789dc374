"""The five rule-based tips shown when the model cannot answer (SPEC §3.8 fallback).

First the saving rules that fired this month (with their money), then tips for the month's
largest cost categories, then general FinOps habits — always exactly five, in the reader's language.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..formatting import money

TIP_COUNT = 5

CATEGORY_TIPS = {
    "SERVER": _l(
        "Server operations cost %(amount)s (%(share)s%%) this month: right-size or consolidate servers "
        "with low utilisation and switch off test systems outside working hours."
    ),
    "NETWORK": _l(
        "Network and communications cost %(amount)s (%(share)s%%): compare line contracts and bandwidth "
        "with the traffic actually used and drop redundant circuits."
    ),
    "STORAGE": _l(
        "Storage costs %(amount)s (%(share)s%%): move rarely used data to cheaper tiers and apply "
        "retention rules to backups and logs."
    ),
    "LICENSE": _l(
        "Software licences cost %(amount)s (%(share)s%%): reclaim unused seats and align renewals with the number of real users."
    ),
    "MAINTENANCE": _l(
        "Maintenance costs %(amount)s (%(share)s%%): merge overlapping maintenance contracts and "
        "renegotiate service levels at renewal."
    ),
    "PERSONNEL": _l(
        "Personnel costs %(amount)s (%(share)s%%): automate repetitive operations work so staff time goes to improvements."
    ),
    "OTHER": _l(
        "Other costs are %(amount)s (%(share)s%%): give these items a proper category and stop "
        "recurring charges nobody needs any more."
    ),
}
GENERAL_TIPS = (
    _l("Set a monthly budget for every service so that usage alerts at 90%% and 110%% reach the people in charge."),
    _l("Review the month's largest cost items with their owners and confirm each one is still needed."),
    _l("Compare each service with its usual level (the median of the last six months) before renewing contracts."),
    _l("Plan renewals of licences and maintenance contracts a quarter ahead to keep room for negotiation."),
    _l("Record every cost with its service and category so that allocation and anomalies stay accurate."),
)


def rule_tips(summary: dict, recommendations: dict, currency: str = "KRW") -> list[str]:
    """Exactly five tips for the month: fired rules, then the largest categories, then general habits."""
    tips = [rule["message"] for rule in recommendations["recommendations"] if rule["type"] != "NORMAL"]
    for code, row in summary["by_category"].items():  # largest first
        if code in CATEGORY_TIPS and row["amount"] > 0:
            tips.append(str(CATEGORY_TIPS[code]) % {"amount": money(row["amount"], currency), "share": row["pct"]})
    tips.extend(str(tip) % {} for tip in GENERAL_TIPS)
    unique = list(dict.fromkeys(tips))
    return unique[:TIP_COUNT]


def tips_text(tips: list[str]) -> str:
    """The tips as a numbered list, one per line (the form the API's `optimization` takes)."""
    return "\n".join(f"{number}. {tip}" for number, tip in enumerate(tips, start=1))


def fallback_reason(error: str | None) -> str:
    """Why the rules answered, in the reader's language (the stored error stays in English for the log)."""
    if not error:
        return _("The model did not answer.")
    if "timeout" in error:
        return _("The model did not answer in time.")
    if "HTTP" in error:
        return _("The model server answered with an error.")
    if "empty" in error:
        return _("The model answered with an empty text.")
    if "unreachable" in error:
        return _("The model server could not be reached.")
    if "queue" in error:
        return _("The background queue is not available.")
    return _("The model did not answer.")
