"""Display labels of import kinds and batch statuses: the names the import code imports (the registry is webapp/labels.py)."""

from ..labels import BADGES, IMPORT_KIND_LABELS, IMPORT_STATUS_LABELS

KIND_LABELS = IMPORT_KIND_LABELS
STATUS_LABELS = IMPORT_STATUS_LABELS
STATUS_BADGES = BADGES["import"]

__all__ = ["KIND_LABELS", "STATUS_BADGES", "STATUS_LABELS"]
