"""In-app notices: what a user must know (a failed scheduled run, e-mails that could not go) shown on the pages they visit."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from . import routes  # noqa: E402,F401
