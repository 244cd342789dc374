"""Cost entry: list with filters and totals, add, edit in place, delete, CSV/Excel export."""

from flask import Blueprint

bp = Blueprint("costs", __name__, url_prefix="/costs")


@bp.record_once
def _register_filters(state):
    """Label filters used by every FinOps page (costs, dashboard, budgets)."""
    from ..analytics.labels import register_label_filters

    register_label_filters(state.app)


@bp.app_context_processor
def _finops_codes():
    """The fixed code lists for filters and forms."""
    from ..models import CATEGORIES, SERVICES

    return {"cost_services": SERVICES, "cost_categories": tuple(CATEGORIES)}


from . import routes  # noqa: E402,F401
