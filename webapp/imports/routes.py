"""Import pages: upload, template files, preview with the detected mapping, progress, errors, batches, undo."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import ADMIN, FINOPS, role_required, tenant_get_or_404
from ..extensions import db
from ..htmx import page_or_fragment
from ..jobs import QueueUnavailable
from ..models import CATEGORIES, IMPORT_KINDS, SERVICES, ImportBatch
from ..pagination import paginate
from . import bp
from .columns import COLUMNS
from .focus import edited_mapping, mapping_preview
from .labels import KIND_LABELS, STATUS_BADGES, STATUS_LABELS
from .pipeline import (
    ERRORS_SHOWN,
    CannotUndo,
    DuplicateFile,
    errors_csv,
    layout_of,
    max_import_mb,
    percent_done,
    preview,
    queue_batch,
    store_upload,
    template_file,
    tenant_batches,
    undo_batch,
)
from .reading import FileRefused

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _labels():
    return {"import_kind_labels": KIND_LABELS, "import_status_labels": STATUS_LABELS, "import_status_badges": STATUS_BADGES}


def upload_options(form) -> dict:
    """The options a person may give with a file (the same for the page, the API and the CLI)."""
    options = {}
    if sheet := (form.get("sheet") or "").strip():
        options["sheet"] = sheet[:100]
    if form.get("create_servers") in ("1", "on", "true", "yes"):
        options["create_servers"] = True
    return options | focus_options(form)


def focus_options(form) -> dict:
    """FOCUS cost files: format (auto|app|focus), rate, amount (billed|effective), month_from (billing|charge),
    service_rule (ServiceName, SubAccountName or tag:<key>) and service_map / category_map as JSON objects."""
    import json
    from decimal import Decimal, InvalidOperation

    options = {}
    if (layout := form.get("format")) in ("app", "focus"):
        options["layout"] = layout
    if form.get("amount") == "effective":
        options["amount"] = "effective"
    if form.get("month_from") == "charge":
        options["month_from"] = "charge"
    if rate := (form.get("rate") or "").strip():
        try:
            value = Decimal(rate.replace(",", ""))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0:
            raise FileRefused(_("The exchange rate must be a number greater than 0, such as 1380.5."))
        options["rate"] = str(value)
    if rule := (form.get("service_rule") or "").strip():
        options["service_rule"] = rule[:100]
    for name in ("service_map", "category_map"):
        if text := (form.get(name) or "").strip():
            try:
                table = json.loads(text)
            except ValueError:
                table = None
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise FileRefused(_("%(name)s must be a JSON object of text values.", name=name))
            options[name] = {str(key)[:200]: value.strip().upper()[:16] for key, value in list(table.items())[:1000]}
    return options


def _index(status: int = 200, error: str | None = None, duplicate: DuplicateFile | None = None, kind: str = "costs"):
    page = paginate(tenant_batches(current_user.tenant_id))
    return page_or_fragment(
        "imports/index.html",
        {"batch-list": "imports/_list.html"},
        status=status,
        page=page,
        kinds=IMPORT_KINDS,
        columns=COLUMNS,
        chosen_kind=kind,
        upload_error=error,
        duplicate=duplicate,
        max_mb=f"{max_import_mb():g}",
    )


@bp.route("/")
@role_required(*FINOPS)
def index():
    """The upload form, the template files and the tenant's batches."""
    kind = request.args.get("kind", "costs")
    return _index(kind=kind if kind in IMPORT_KINDS else "costs")


@bp.route("/", methods=["POST"])
@role_required(*FINOPS)
def upload():
    """Store the file and show its preview; refused files come back with the reason (nothing stored)."""
    kind = request.form.get("kind", "")
    if kind not in IMPORT_KINDS:
        return _index(422, _("Choose what the file holds."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(422, _("Choose a CSV or XLSX file."), kind=kind)
    try:
        batch = store_upload(
            current_user.tenant,
            current_user.id,
            kind,
            upload.filename,
            upload.stream,
            upload_options(request.form),
            force=request.form.get("confirm_duplicate") in ("1", "on"),
        )
    except DuplicateFile as duplicate:
        return _index(409, duplicate.message, duplicate, kind=kind)
    except FileRefused as refused:
        return _index(422, refused.message, kind=kind)
    return redirect(url_for("imports.detail", batch_id=batch.id))


@bp.route("/templates/<kind>.<fmt>")
@role_required(*FINOPS)
def template(kind: str, fmt: str):
    """A template file with the Korean headers and one example row."""
    if kind not in IMPORT_KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    return Response(
        template_file(kind, fmt),
        content_type=content_type,
        headers={"Content-Disposition": f"attachment; filename=import-{kind}.{fmt}"},
    )


@bp.route("/<int:batch_id>")
@role_required(*FINOPS)
def detail(batch_id: int):
    """One batch: its preview before it starts, its progress (polled by htmx), its errors or its result."""
    batch = tenant_get_or_404(ImportBatch, batch_id)
    context = {"batch": batch, "percent": percent_done(batch), "errors_shown": (batch.errors or [])[:ERRORS_SHOWN]}
    if batch.status == "PENDING":
        try:
            context["preview"] = preview(batch)
        except (FileRefused, OSError):
            context["preview"] = None
        context["columns"] = {column.field: column for column in COLUMNS[batch.kind]}
        if context["preview"] is not None and layout_of(batch.kind, batch.options or {}) == "focus":
            found = context["preview"]
            context["focus_mapping"] = mapping_preview(
                batch.options or {}, current_user.tenant.settings, found.header, found.rows
            )
            context["category_codes"], context["service_codes"] = CATEGORIES, SERVICES
    return page_or_fragment("imports/detail.html", {"batch-status": "imports/_status.html"}, **context)


@bp.route("/<int:batch_id>/start", methods=["POST"])
@role_required(*FINOPS)
def start(batch_id: int):
    """Validate the whole file and import it, in the background."""
    batch = tenant_get_or_404(ImportBatch, batch_id)
    if batch.status == "PENDING" and layout_of(batch.kind, batch.options or {}) == "focus":
        options, refused = edited_mapping(request.form, batch.options or {})
        if refused:
            for message in refused.values():
                flash(message, "error")
            return redirect(url_for("imports.detail", batch_id=batch.id))
        if options != (batch.options or {}):
            batch.options = options
            db.session.commit()
    if batch.status == "PENDING":
        try:
            queue_batch(batch)
        except QueueUnavailable as unavailable:
            flash(unavailable.message, "error")
    return redirect(url_for("imports.detail", batch_id=batch.id))


@bp.route("/<int:batch_id>/errors.csv")
@role_required(*FINOPS)
def errors(batch_id: int):
    """Every error of a refused file, as CSV."""
    batch = tenant_get_or_404(ImportBatch, batch_id)
    return Response(
        errors_csv(batch),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=import-{batch.id}-errors.csv"},
    )


@bp.route("/<int:batch_id>/undo", methods=["POST"])
@role_required(*ADMIN, message=lambda: _("Only an administrator can undo an import."))
def undo(batch_id: int):
    """Remove exactly the rows this batch stored."""
    batch = tenant_get_or_404(ImportBatch, batch_id)
    try:
        removed = undo_batch(batch, current_user)
    except CannotUndo:
        flash(_("Only a finished import can be undone."), "error")
    else:
        flash(_("Import %(id)s was undone: %(count)s row(s) removed.", id=batch.id, count=removed), "success")
    return redirect(url_for("imports.detail", batch_id=batch.id))
