"""IT Cost & Report Center: the application factory."""

from __future__ import annotations

import importlib
import logging
import os

from flask import Flask, request

from .config import INSTANCE_PATH, PROJECT_ROOT, Config
from .errors import register_errorhandlers
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from .extensions import htmx as htmx_extension  # the name `htmx` is the webapp.htmx module
from .htmx import add_vary
from .jsonable import AppJSONProvider
from .validation import register_input_checks

BLUEPRINTS = (
    "webapp.auth:bp",
    "webapp.main:bp",
    "webapp.account:bp",
    "webapp.admin:bp",
    "webapp.api:bp",
    "webapp.costs:bp",
    "webapp.budgets:bp",
    "webapp.reports:bp",
    "webapp.service_requests:bp",
    "webapp.schedules:bp",
    "webapp.notices:bp",
    "webapp.imports:bp",
    "webapp.imports.api:api_bp",
    "webapp.audit_log:bp",
)

# What an area adds to the whole app besides its blueprint (template filters, context processors, signal
# receivers): a register(app) function each, called by the factory after the blueprints.
AREA_SETUP = (
    "webapp.reports:register",
    "webapp.schedules:register",
)

CLI_GROUPS = (
    "webapp.cli:tenants_cli",
    "webapp.cli:users_cli",
    "webapp.cli:tokens_cli",
    "webapp.cli:demo_cli",
    "webapp.cli:jobs_cli",
    "webapp.costs.cli:costs_cli",
    "webapp.budgets.cli:budgets_cli",
    "webapp.reports.cli:reports_cli",
    "webapp.schedules.cli:scheduler_cli",
    "webapp.imports.cli:import_cli",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, overridden by `config` (used by tests)."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.json = AppJSONProvider(app)
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    register_extensions(app)
    register_input_checks(app)  # before the blueprints: their <int:...> routes bind the id converter when added
    register_blueprints(app)
    register_areas(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    from .security import register_security_headers

    register_security_headers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from . import models  # noqa: F401  (models must be imported for migrations)
    from .i18n import select_locale, select_timezone, stale_catalogues, translation_directories

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True, user_module_prefix=""
    )
    csrf.init_app(app)
    htmx_extension.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    if stale_catalogues():  # compiled by `make setup` (scripts/i18n.py compile); the package may be read-only here
        logging.getLogger(__name__).warning("translations are not compiled: run `python scripts/i18n.py compile`")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(login_id: str):
        """Load the signed-in user from the session or remember-me cookie, while its server-side session lives."""
        from .auth.sessions import user_for_login_id

        return user_for_login_id(login_id)

    @login_manager.request_loader
    def load_user_from_request(_request):
        """Authenticate /api/ calls by bearer token."""
        from .auth.tokens import user_from_bearer_token

        return user_from_bearer_token()

    @login_manager.unauthorized_handler
    def unauthorized():
        """JSON 401 for the API; a redirect to sign-in for pages (HX-Redirect for htmx)."""
        from flask import jsonify, redirect, url_for
        from flask_babel import gettext as _

        if request.path.startswith("/api/"):
            return jsonify(detail=_("Authentication required.")), 401
        target = url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
        if request.headers.get("HX-Request"):
            return "", 401, {"HX-Redirect": target}
        return redirect(target)


def _load(spec: str):
    """The object named 'package.module:attribute'."""
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def register_blueprints(app: Flask) -> None:
    """Register every blueprint listed in BLUEPRINTS."""
    for spec in BLUEPRINTS:
        app.register_blueprint(_load(spec))


def register_areas(app: Flask) -> None:
    """Call every area's register(app) listed in AREA_SETUP."""
    for spec in AREA_SETUP:
        _load(spec)(app)


def register_cli(app: Flask) -> None:
    """Attach every command group listed in CLI_GROUPS."""
    for spec in CLI_GROUPS:
        app.cli.add_command(_load(spec))


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals shared by every template."""
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf

    from .formatting import register_filters
    from .labels import register_label_filters
    from .navigation import register_navigation
    from .reports.registry import TEMPLATES

    register_filters(app)
    register_label_filters(app, TEMPLATES)
    register_navigation(app)

    @app.context_processor
    def inject_globals():
        """Values every page uses: the language, the CSRF token, a nav helper."""
        return {
            "current_locale": str(get_locale()),
            "csrf_token_value": generate_csrf,
            "has_endpoint": lambda name: name in app.view_functions,
        }

    def url_with(**changes):
        """The current URL with some query arguments replaced (pagination, filters)."""
        from flask import url_for

        args = request.args.to_dict()
        args.update({k: v for k, v in changes.items() if v is not None})
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    app.jinja_env.globals["url_with"] = url_with

    app.after_request(add_vary)
