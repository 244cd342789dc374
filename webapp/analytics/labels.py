"""Display names for cost categories, statuses, severities, directions and recommendation types (codes stay in data and JSON)."""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l

from ..formatting import code_label

CATEGORY_NAMES = {
    "SERVER": _l("Server operations"),
    "NETWORK": _l("Network and communications"),
    "STORAGE": _l("Storage"),
    "LICENSE": _l("Software licences"),
    "MAINTENANCE": _l("Maintenance"),
    "PERSONNEL": _l("Personnel"),
    "OTHER": _l("Other costs"),
}
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
RECOMMENDATION_NAMES = {
    "LICENSE_REVIEW": _l("Licence review"),
    "MAINTENANCE_REVIEW": _l("Maintenance review"),
    "COST_SPIKE": _l("Cost spike"),
    "IDLE_SERVER": _l("Idle server"),
    "NORMAL": _l("Normal"),
}


def category_name(code: str) -> str:
    """The category in the reader's language (Korean labels of the SPEC in Korean)."""
    return code_label(CATEGORY_NAMES, code)


def label_functions() -> dict:
    """{name: code → display name} for every FinOps code list (Jinja filters of the pages, helpers of the cost report)."""
    return {
        "category_name": category_name,
        "status_name": partial(code_label, STATUS_NAMES),
        "severity_name": partial(code_label, SEVERITY_NAMES),
        "direction_name": partial(code_label, DIRECTION_NAMES),
        "recommendation_name": partial(code_label, RECOMMENDATION_NAMES),
    }


def register_label_filters(app) -> None:
    """Every label function as a Jinja filter of the same name."""
    for name, function in label_functions().items():
        app.add_template_filter(function, name)
