"""FinOps display names: the names the analytics, costs and report code import (the registry is webapp/labels.py)."""

from ..labels import (
    CATEGORY_NAMES,
    DIRECTION_NAMES,
    RECOMMENDATION_NAMES,
    SEVERITY_NAMES,
    STATUS_NAMES,
    category_name,
    label_functions,
    register_label_filters,
)

__all__ = [
    "CATEGORY_NAMES",
    "DIRECTION_NAMES",
    "RECOMMENDATION_NAMES",
    "SEVERITY_NAMES",
    "STATUS_NAMES",
    "category_name",
    "label_functions",
    "register_label_filters",
]
