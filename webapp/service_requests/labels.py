"""Display labels for SR codes (types, priorities, statuses) in the UI language."""

from flask_babel import lazy_gettext as _l

TYPE_LABELS = {
    "REQUEST": _l("Service request"),
    "INCIDENT": _l("Incident"),
    "PROBLEM": _l("Problem"),
    "CHANGE": _l("Change"),
}
PRIORITY_LABELS = {
    "P1": _l("P1 Critical"),
    "P2": _l("P2 High"),
    "P3": _l("P3 Medium"),
    "P4": _l("P4 Low"),
}
STATUS_LABELS = {
    "OPEN": _l("Open"),
    "IN_PROGRESS": _l("In progress"),
    "DONE": _l("Done"),
    "CANCELLED": _l("Cancelled"),
}
STATUS_BADGES = {"OPEN": "badge-info", "IN_PROGRESS": "badge-warn", "DONE": "badge-ok", "CANCELLED": "badge-muted"}
