"""Import API (SPEC §7): POST /api/imports/<kind> queues a file (202 and a status URL); GET /api/imports/<id> reports on it.

Under /api/ (see webapp.api): bearer token or session, JSON errors; ADMIN and PM only; another tenant's batch is a 404.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from ..auth.roles import FINOPS, role_required, tenant_get_or_404
from ..extensions import csrf
from ..models import IMPORT_KINDS, ImportBatch
from ..pagination import api_page, api_window
from .pipeline import ERRORS_SHOWN, DuplicateFile, percent_done, queue_batch, store_upload, tenant_batches
from .reading import FileRefused
from .routes import upload_options

api_bp = Blueprint("imports_api", __name__, url_prefix="/api/imports")
csrf.exempt(api_bp)  # webapp.api's before-request check asks browser sessions for the token; bearer tokens need none


def batch_json(batch: ImportBatch) -> dict:
    """The API shape of a batch."""
    return {
        "id": batch.id,
        "batch_id": batch.id,
        "kind": batch.kind,
        "file_name": batch.file_name,
        "size": batch.size,
        "sha256": batch.sha256,
        "format": batch.format,
        "options": batch.options,
        "status": batch.status,
        "progress": batch.progress,
        "percent": percent_done(batch),
        "rows": batch.rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "error_count": batch.error_count,
        "errors": (batch.errors or [])[:ERRORS_SHOWN],
        "message": batch.message,
        "created_by": batch.created_by.username if batch.created_by else None,
        "created_at": batch.created_at.isoformat() if batch.created_at else None,
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "undone_at": batch.undone_at.isoformat() if batch.undone_at else None,
        "status_url": url_for("imports_api.status", batch_id=batch.id),
    }


@api_bp.route("/<kind>", methods=["POST"])
@role_required(*FINOPS)
def create(kind: str):
    """Store the multipart `file` and queue its import; 202 with the batch id and its status URL."""
    if kind not in IMPORT_KINDS:
        return jsonify(detail=f"unknown kind '{kind}'; use one of {', '.join(IMPORT_KINDS)}"), 404
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(detail="send the file as multipart form field 'file'", errors={"file": "required"}), 422
    try:
        batch = store_upload(
            current_user.tenant,
            current_user.id,
            kind,
            upload.filename,
            upload.stream,
            upload_options(request.form),
            force=request.form.get("force") in ("1", "true", "yes", "on"),
        )
    except DuplicateFile as duplicate:
        return jsonify(detail=duplicate.message, batch_id=duplicate.batch.id), 409
    except FileRefused as refused:
        return jsonify(detail=refused.message, errors={"file": refused.message}), 422
    queue_batch(batch)
    body = batch_json(batch)
    return jsonify(body), 202, {"Location": body["status_url"]}


@api_bp.route("/<int:batch_id>")
@role_required(*FINOPS)
def status(batch_id: int):
    """Status, progress, counts and the first errors of one batch."""
    return jsonify(batch_json(tenant_get_or_404(ImportBatch, batch_id)))


@api_bp.route("")
@role_required(*FINOPS)
def index():
    """The tenant's batches, newest first (?page=&per_page=)."""
    items, facts = api_page(tenant_batches(current_user.tenant_id), api_window())
    return jsonify(items=[batch_json(batch) for batch in items], **facts)
