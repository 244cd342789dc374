"""The audit log page and its CSV export."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from ..auth.roles import FINOPS, role_required
from ..extensions import db
from ..htmx import page_or_fragment
from ..pagination import paginate
from ..validation import FieldErrors
from . import bp
from .service import (
    AREAS,
    EXPORT_LIMIT,
    PAGE_SIZE,
    AuditFilter,
    action_label,
    area_label,
    areas_for,
    audit_query,
    changes_of,
    export_csv,
    read_filter,
    usernames,
)


def _filter_or_errors() -> tuple[AuditFilter, dict[str, str]]:
    """The filter of the query string; refused values are shown and the unfiltered list is kept (422)."""
    try:
        return read_filter(request.args, current_user.tenant_id, current_user.role), {}
    except FieldErrors as exc:
        return AuditFilter(), exc.errors


@bp.route("/")
@role_required(*FINOPS)
def index():
    """Who changed what and when (ADMIN: every area; PM: costs and budgets), filtered and paginated."""
    chosen, errors = _filter_or_errors()
    tenant = current_user.tenant
    page = paginate(audit_query(tenant.id, current_user.role, chosen, tenant.timezone), per_page=PAGE_SIZE)
    names = usernames(tenant.id)
    return page_or_fragment(
        "audit_log/index.html",
        {"audit-rows": "audit_log/_rows.html"},
        status=422 if errors else 200,
        rows=page,
        chosen=chosen,
        errors=errors,
        users=sorted(names.items(), key=lambda item: item[1]),
        names=names,
        areas=[(code, AREAS[code][0]) for code in areas_for(current_user.role)],
        args=request.args,
        action_label=action_label,
        area_label=area_label,
        changes_of=changes_of,
    )


@bp.route("/export.csv")
@role_required(*FINOPS)
def export():
    """The filtered rows as CSV (at most EXPORT_LIMIT, newest first)."""
    try:
        chosen = read_filter(request.args, current_user.tenant_id, current_user.role)
    except FieldErrors as exc:
        return Response(exc.detail + "\n", status=400, mimetype="text/plain")
    tenant = current_user.tenant
    query = audit_query(tenant.id, current_user.role, chosen, tenant.timezone).limit(EXPORT_LIMIT)
    rows = db.session.scalars(query).all()
    # written whole (at most EXPORT_LIMIT rows, a few MB): labels and the tenant's time need the request's context
    response = Response(b"".join(export_csv(rows, usernames(tenant.id))), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit_{tenant.slug}.csv"'
    response.headers["X-Exported-Rows"] = str(len(rows))
    return response
