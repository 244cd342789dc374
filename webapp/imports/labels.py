"""Display labels for import kinds and batch statuses."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {"costs": _l("Costs"), "srs": _l("Service requests"), "servers": _l("Servers and utilisation")}
STATUS_LABELS = {
    "PENDING": _l("Waiting for confirmation"),
    "QUEUED": _l("Queued"),
    "RUNNING": _l("Importing"),
    "DONE": _l("Imported"),
    "FAILED": _l("Refused"),
    "UNDONE": _l("Undone"),
}
STATUS_BADGES = {
    "PENDING": "badge-info",
    "QUEUED": "badge-info",
    "RUNNING": "badge-warn",
    "DONE": "badge-ok",
    "FAILED": "badge-over",
    "UNDONE": "badge-muted",
}
