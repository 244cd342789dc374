"""Budgets: set per month and per service (ADMIN), budget vs actual for everyone who sees costs."""

from flask import Blueprint

bp = Blueprint("budgets", __name__, url_prefix="/budgets")

from . import (
    routes,  # noqa: E402,F401
    year_routes,  # noqa: E402,F401
)
