"""Display names for cost categories, services and statuses (the codes stay in data and JSON)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import BUDGET_SCOPE_ALL

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
    return str(CATEGORY_NAMES.get(code, code))


def service_name(code: str) -> str:
    """Service codes are names already; ALL reads as "all services"."""
    return str(_l("All services")) if code == BUDGET_SCOPE_ALL else code


def register_label_filters(app) -> None:
    """Jinja filters: category_name, service_name, status_name, severity_name, direction_name, recommendation_name."""
    app.add_template_filter(category_name, "category_name")
    app.add_template_filter(service_name, "service_name")
    for name, table in (("status_name", STATUS_NAMES), ("severity_name", SEVERITY_NAMES),
                        ("direction_name", DIRECTION_NAMES), ("recommendation_name", RECOMMENDATION_NAMES)):
        app.add_template_filter(lambda code, table=table: str(table.get(code, code)), name)
