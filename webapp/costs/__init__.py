"""Cost entry: list with filters and totals, add, edit in place, delete, CSV/Excel export."""

from flask import Blueprint

bp = Blueprint("costs", __name__, url_prefix="/costs")


@bp.app_context_processor
def _finops_codes():
    """The fixed code lists for filters and forms."""
    from ..models import CATEGORIES, SERVICES

    return {"cost_services": SERVICES, "cost_categories": tuple(CATEGORIES)}


from . import routes  # noqa: E402,F401
