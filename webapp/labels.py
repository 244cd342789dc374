"""The one registry of codes shown to people: code → label in the UI language → badge class, and category colours.

Codes stay in the data and the JSON; pages, reports and e-mails show `code_label(...)` of them. Templates use the
Jinja filters registered by `register_label_filters` (from create_app):

    {{ cost.category|category_name }}        {{ row.status|status_name }}       {{ report.template|template_label }}
    <span class="badge {{ row.status|status_badge }}">…      {{ sr.status|status_badge("sr_status") }}

or the `badge(code, kind)` macro of templates/_macros.html, which writes the label inside its badge.
Badge classes are the five of app.css (badge-ok, -warn, -over, -info, -muted).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from flask_babel import lazy_gettext as _l

from .charts import PALETTE
from .formatting import code_label

# --- FinOps ------------------------------------------------------------------------------------

CATEGORY_NAMES = {
    "SERVER": _l("Server operations"),
    "NETWORK": _l("Network and communications"),
    "STORAGE": _l("Storage"),
    "LICENSE": _l("Software licences"),
    "MAINTENANCE": _l("Maintenance"),
    "PERSONNEL": _l("Personnel"),
    "OTHER": _l("Other costs"),
}
# The colour of each category in charts and beside its name: the chart palette in category order, OTHER in grey
# (static/css/categories.css is category_css() of it).
OTHER_COLOUR = "#8a96a3"
CATEGORY_COLOURS = dict(zip(CATEGORY_NAMES, (*PALETTE[:6], OTHER_COLOUR), strict=True))
STATUS_NAMES = {
    "OK": _l("On track"),
    "WARNING": _l("Warning"),
    "OVER": _l("Over budget"),
    "NO_BUDGET": _l("No budget"),
}
SEVERITY_NAMES = {
    "CRITICAL": _l("Critical"),
    "WARNING": _l("Warning"),
    "HIGH": _l("High"),
    "MEDIUM": _l("Medium"),
    "INFO": _l("Info"),
}
DIRECTION_NAMES = {"UP": _l("Up"), "DOWN": _l("Down"), "STABLE": _l("Stable"), "NEW": _l("New")}
# FOCUS ChargeCategory of an imported cost (typed-in costs have none)
CHARGE_NAMES = {
    "Usage": _l("Usage charge"),
    "Purchase": _l("Purchase"),
    "Tax": _l("Tax"),
    "Credit": _l("Credit"),
    "Adjustment": _l("Adjustment"),
}
# The lines of a net total's breakdown (webapp/analytics/charges.py ChargeBreakdown.lines)
CHARGE_LINE_NAMES = {
    "charges": _l("Charges"),
    "credits": _l("Credits"),
    "adjustments": _l("Adjustments"),
    "tax": _l("Tax"),
    "refunds": _l("Refunds"),
    "net": _l("Net total"),
}
RECOMMENDATION_NAMES = {
    "LICENSE_REVIEW": _l("Licence review"),
    "MAINTENANCE_REVIEW": _l("Maintenance review"),
    "COST_SPIKE": _l("Cost spike"),
    "IDLE_SERVER": _l("Idle server"),
    "NORMAL": _l("Normal"),
}

# --- service requests --------------------------------------------------------------------------

SR_TYPE_LABELS = {
    "REQUEST": _l("Service request"),
    "INCIDENT": _l("Incident"),
    "PROBLEM": _l("Problem"),
    "CHANGE": _l("Change"),
}
SR_PRIORITY_LABELS = {
    "P1": _l("P1 Critical"),
    "P2": _l("P2 High"),
    "P3": _l("P3 Medium"),
    "P4": _l("P4 Low"),
}
SR_STATUS_LABELS = {
    "OPEN": _l("Open"),
    "IN_PROGRESS": _l("In progress"),
    "DONE": _l("Done"),
    "CANCELLED": _l("Cancelled"),
}

# --- reports, schedule runs and their e-mails --------------------------------------------------

REPORT_STATUS_LABELS = {"QUEUED": _l("Queued"), "RUNNING": _l("Building…"), "DONE": _l("Done"), "FAILED": _l("Failed")}
RUN_STATUS_LABELS = {
    "QUEUED": _l("In progress"),
    "DONE": _l("Done"),
    "FAILED": _l("Failed"),
    "SKIPPED": _l("Skipped (no data)"),
    "DELIVERY_FAILED": _l("Delivery failed"),
}
DELIVERY_LABELS = {"PENDING": _l("Sending"), "SENT": _l("Sent"), "FAILED": _l("Failed")}

# --- imports -----------------------------------------------------------------------------------

IMPORT_KIND_LABELS = {"costs": _l("Costs"), "srs": _l("Service requests"), "servers": _l("Servers and utilisation")}
IMPORT_STATUS_LABELS = {
    "PENDING": _l("Waiting for confirmation"),
    "QUEUED": _l("Queued"),
    "RUNNING": _l("Importing"),
    "DONE": _l("Imported"),
    "FAILED": _l("Refused"),
    "UNDONE": _l("Undone"),
}

# --- badges: kind → code → class (an unknown code gets DEFAULT_BADGE) ---------------------------

DEFAULT_BADGE = "badge-muted"
BADGES: dict[str, dict[str, str]] = {
    "budget": {"OK": "badge-ok", "WARNING": "badge-warn", "OVER": "badge-over", "NO_BUDGET": "badge-muted"},
    "severity": {
        "CRITICAL": "badge-over",
        "HIGH": "badge-over",
        "WARNING": "badge-warn",
        "MEDIUM": "badge-warn",
        "INFO": "badge-info",
        "NEW": "badge-info",  # an anomaly without history: a new cost line
    },
    "sr_status": {"OPEN": "badge-info", "IN_PROGRESS": "badge-warn", "DONE": "badge-ok", "CANCELLED": "badge-muted"},
    "sr_priority": {"P1": "badge-over", "P2": "badge-warn"},
    "report": {"QUEUED": "badge-info", "RUNNING": "badge-warn", "DONE": "badge-ok", "FAILED": "badge-over"},
    "run": {
        "QUEUED": "badge-info",
        "DONE": "badge-ok",
        "FAILED": "badge-over",
        "SKIPPED": "badge-muted",
        "DELIVERY_FAILED": "badge-over",
    },
    "delivery": {"PENDING": "badge-info", "SENT": "badge-ok", "FAILED": "badge-over"},
    "charge": {"Credit": "badge-ok", "Adjustment": "badge-warn", "Tax": "badge-info"},
    "import": {
        "PENDING": "badge-info",
        "QUEUED": "badge-info",
        "RUNNING": "badge-warn",
        "DONE": "badge-ok",
        "FAILED": "badge-over",
        "UNDONE": "badge-muted",
    },
}
# kind → its labels (the `badge` macro and `code_name` filter)
LABELS: dict[str, Mapping] = {
    "category": CATEGORY_NAMES,
    "budget": STATUS_NAMES,
    "severity": SEVERITY_NAMES,
    "direction": DIRECTION_NAMES,
    "recommendation": RECOMMENDATION_NAMES,
    "charge": CHARGE_NAMES,
    "sr_type": SR_TYPE_LABELS,
    "sr_priority": SR_PRIORITY_LABELS,
    "sr_status": SR_STATUS_LABELS,
    "report": REPORT_STATUS_LABELS,
    "run": RUN_STATUS_LABELS,
    "delivery": DELIVERY_LABELS,
    "import_kind": IMPORT_KIND_LABELS,
    "import": IMPORT_STATUS_LABELS,
}


def status_badge(code: str | None, kind: str = "budget") -> str:
    """The badge class of a code of one kind (budget status by default): badge-ok, -warn, -over, -info or -muted."""
    return BADGES[kind].get(code or "", DEFAULT_BADGE)


def code_name(code: str | None, kind: str) -> str:
    """The label of a code of one kind in the reader's language (an unknown code shows as itself)."""
    return code_label(LABELS[kind], code)


def category_name(code: str) -> str:
    """The category in the reader's language (Korean labels of the SPEC in Korean)."""
    return code_label(CATEGORY_NAMES, code)


def category_colour(code: str, default: str = "#003366") -> str:
    """The chart colour of a category."""
    return CATEGORY_COLOURS.get(code, default)


def category_css() -> str:
    """The `.cat-<code>` rules setting `--cat` for every category (static/css/categories.css is this text)."""
    header = "/* Generated from webapp/labels.py CATEGORY_COLOURS (python -m webapp.labels > static/css/categories.css): do not edit. */\n"
    rules = [f".cat {{ --cat: {OTHER_COLOUR}; }}\n"]  # a code without a colour of its own
    rules += [f".cat-{code.lower()} {{ --cat: {colour}; }}\n" for code, colour in CATEGORY_COLOURS.items()]
    return header + "".join(rules)


def label_functions() -> dict:
    """{name: code → display name} for every FinOps code list (Jinja filters of the pages, helpers of the cost report)."""
    return {
        "category_name": category_name,
        "status_name": partial(code_label, STATUS_NAMES),
        "severity_name": partial(code_label, SEVERITY_NAMES),
        "direction_name": partial(code_label, DIRECTION_NAMES),
        "recommendation_name": partial(code_label, RECOMMENDATION_NAMES),
        "charge_name": partial(code_label, CHARGE_NAMES),
        "charge_line_name": partial(code_label, CHARGE_LINE_NAMES),
    }


def register_label_filters(app, report_templates: Mapping | None = None) -> None:
    """Every label function, `code_name`, `status_badge` and `template_label` as Jinja filters.

    `report_templates` is the report registry ({code: ReportTemplate}); create_app passes it, so this module
    imports nothing of the areas.
    """
    templates = report_templates or {}

    def template_label(code: str | None) -> str:
        """The report template's name in the UI language (an unknown code shows as itself)."""
        template = templates.get(code or "")
        return str(template.label) if template is not None else (code or "")

    for name, function in label_functions().items():
        app.add_template_filter(function, name)
        app.add_template_global(function, name)  # also callable, e.g. as a select_filter text function
    app.add_template_filter(code_name, "code_name")
    app.add_template_filter(status_badge, "status_badge")
    app.add_template_filter(template_label, "template_label")


if __name__ == "__main__":  # python -m webapp.labels > static/css/categories.css
    print(category_css(), end="")
