"""Display labels of SR codes: the names the SR code and the reports import (the registry is webapp/labels.py)."""

from ..labels import BADGES, SR_PRIORITY_LABELS, SR_STATUS_LABELS, SR_TYPE_LABELS

TYPE_LABELS = SR_TYPE_LABELS
PRIORITY_LABELS = SR_PRIORITY_LABELS
STATUS_LABELS = SR_STATUS_LABELS
STATUS_BADGES = BADGES["sr_status"]

__all__ = ["PRIORITY_LABELS", "STATUS_BADGES", "STATUS_LABELS", "TYPE_LABELS"]
