"""The one import pipeline: store the upload, preview it, validate the whole file, commit it as one batch, undo it.

1. `store_upload` writes the file under the instance folder while hashing it (SHA-256) and refuses files
   over MAX_IMPORT_MB, empty files, wrong columns and a file already imported (unless confirmed).
2. `preview` shows the detected column mapping and the first rows.
3. `process_batch` (the background job `process_job`, or inline from the CLI) reads the file twice,
   streamed: first every row is checked and every error collected (row and column); with any error
   nothing is stored.  Then the rows are written in chunks inside one transaction with the batch's id.
4. `undo_batch` removes exactly the rows that carry the batch's id, in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..audit import record
from ..extensions import db
from ..models import IMPORT_KINDS, ImportBatch, Tenant, utcnow
from .columns import COLUMNS, check_mapping, header_matcher, is_focus_header, map_header
from .focus import FocusCosts
from .kinds import Context, Costs, Servers, ServiceRequests
from .reading import FileRefused, Table, csv_bytes, detect_format, open_table

log = logging.getLogger(__name__)

KINDS = {"costs": Costs(), "focus": FocusCosts(), "srs": ServiceRequests(), "servers": Servers()}

ERRORS_SHOWN = 100  # on the page and in the API answer
ERRORS_KEPT = 10000  # stored with the batch (the CSV download); the count is always of all
CHUNK = 2000  # rows per INSERT
KEEP_IN_MEMORY = 50000  # up to this many checked rows are kept between the passes; above, the file is read again
PROGRESS_EVERY = 5000
PREVIEW_ROWS = 10


class DuplicateFile(Exception):
    """This exact file (same SHA-256) was imported into the tenant before; `batch` is that import."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        super().__init__(batch.id)

    @property
    def message(self) -> str:
        return _(
            "This file was already imported (batch %(id)s, %(file)s); importing it again would count it twice. "
            "Confirm to import it anyway.",
            id=self.batch.id,
            file=self.batch.file_name,
        )


def max_import_mb() -> float:
    """MAX_IMPORT_MB: the largest file accepted, in MB (default 200)."""
    return float(current_app.config.get("MAX_IMPORT_MB") or os.environ.get("MAX_IMPORT_MB") or 200)


def max_import_bytes() -> int:
    """MAX_IMPORT_MB in bytes."""
    return int(max_import_mb() * 1024 * 1024)


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def batch_path(batch: ImportBatch) -> Path:
    return upload_folder() / f"batch-{batch.id}.{batch.format}"


def _table(batch: ImportBatch, path: Path | None = None) -> Table:
    return open_table(str(path or batch_path(batch)), batch.format, header_matcher(batch.kind), batch.options.get("sheet"))


def layout_of(kind: str, options: dict) -> str:
    """The column layout a batch is read with: its kind, or "focus" for a FOCUS cost file."""
    return "focus" if kind == "costs" and options.get("layout") == "focus" else kind


def _checked_table(kind: str, path: Path, file_format: str, options: dict) -> tuple[Table, dict[str, int]]:
    """The table and its mapping (sets options["layout"] for a FOCUS file); FileRefused for wrong columns, no data."""
    table = open_table(str(path), file_format, header_matcher(kind), options.get("sheet"))
    if kind == "costs" and options.get("layout") != "app":
        if is_focus_header(table.header):
            options["layout"] = "focus"
        elif options.get("layout") == "focus":
            raise FileRefused(_("This is not a FOCUS cost file: BilledCost and BillingPeriodStart are missing."))
    layout = layout_of(kind, options)
    mapping = map_header(layout, table.header)
    check_mapping(layout, table.header, mapping, options)
    if next(iter(table.rows()), None) is None:
        raise FileRefused(_("The file has a header row but no data rows."))
    return table, mapping


def store_upload(
    tenant: Tenant, user_id: int | None, kind: str, file_name: str, stream, options: dict | None = None, force: bool = False
) -> ImportBatch:
    """Save an uploaded file as a PENDING batch (committed); FileRefused or DuplicateFile, storing nothing, otherwise."""
    if kind not in IMPORT_KINDS:
        raise FileRefused(_("Unknown kind of import '%(kind)s'.", kind=kind))
    limit = max_import_bytes()
    digest = hashlib.sha256()
    size = 0
    folder = upload_folder()
    temporary = folder / f"upload-{os.getpid()}-{utcnow().timestamp():.6f}-{id(stream)}"
    try:
        with open(temporary, "wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise FileRefused(_("The file is larger than the import limit of %(mb)s MB.", mb=f"{max_import_mb():g}"))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise FileRefused(_("The file is empty: it has no header row and no data."))
        sha256 = digest.hexdigest()
        previous = db.session.scalar(
            select(ImportBatch)
            .where(ImportBatch.tenant_id == tenant.id, ImportBatch.sha256 == sha256, ImportBatch.status == "DONE")
            .order_by(ImportBatch.id.desc())
            .limit(1)
        )
        if previous is not None and not force:
            raise DuplicateFile(previous)
        file_format = detect_format(str(temporary), file_name)
        options = dict(options or {})
        table, _mapping = _checked_table(kind, temporary, file_format, options)
        batch = ImportBatch(
            tenant_id=tenant.id,
            kind=kind,
            file_name=(file_name or "upload")[-255:],
            size=size,
            sha256=sha256,
            format=file_format,
            options=options | ({"encoding": table.encoding} if table.encoding else {}),
            status="PENDING",
            created_by_id=user_id,
            errors=[],
        )
        db.session.add(batch)
        db.session.flush()
        os.replace(temporary, batch_path(batch))
        db.session.commit()
        return batch
    except BaseException:
        db.session.rollback()
        temporary.unlink(missing_ok=True)
        raise


@dataclass
class Preview:
    """The detected mapping and the first rows, for the page before the import starts."""

    header: list[str]
    header_row: int
    mapping: dict[str, str]  # field → the file's header
    ignored: list[str]
    rows: list[tuple[int, list]]


def preview(batch: ImportBatch) -> Preview:
    table = _table(batch)
    mapping = map_header(layout_of(batch.kind, batch.options), table.header)
    rows = []
    for item in table.rows():
        rows.append(item)
        if len(rows) >= PREVIEW_ROWS:
            break
    used = set(mapping.values())
    return Preview(
        header=table.header,
        header_row=table.header_row,
        mapping={field: table.header[index] for field, index in mapping.items()},
        ignored=[name for index, name in enumerate(table.header) if index not in used and name],
        rows=rows,
    )


def queue_batch(batch: ImportBatch) -> None:
    """Start the import in the background (QueueUnavailable leaves the batch PENDING)."""
    from ..jobs import enqueue

    batch.status = "QUEUED"
    db.session.commit()
    try:
        enqueue(process_job, batch.id)
    except Exception:
        batch.status = "PENDING"
        db.session.commit()
        raise


def process_job(batch_id: int) -> str:
    """The background job: import one batch."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status not in ("QUEUED", "PENDING"):
        return "skipped"
    return process_batch(batch).status


def _raw(mapping: dict[str, int], cells: list) -> dict:
    return {field: cells[index] if index < len(cells) else None for field, index in mapping.items()}


def _set_progress(batch: ImportBatch, done: int, separate: bool) -> None:
    """Show progress: committed with the batch while only reading; on PostgreSQL from a second connection while writing."""
    if not separate:
        batch.progress = done
        db.session.commit()
        return
    if db.engine.dialect.name != "postgresql":
        return  # SQLite: the writing transaction holds the database; the page shows "saving"
    with db.engine.begin() as conn:
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(progress=done))


def _fail(batch: ImportBatch, message: str | None = None, errors: list | None = None, count: int = 0) -> ImportBatch:
    rows = batch.rows or 0
    db.session.rollback()
    batch.rows = rows
    batch.status = "FAILED"
    batch.message = message[:500] if message else None
    batch.errors = errors or []
    batch.error_count = count
    batch.finished_at = utcnow()
    db.session.commit()
    batch_path(batch).unlink(missing_ok=True)
    return batch


def process_batch(
    batch: ImportBatch, on_progress: Callable[[str, int, int], None] | None = None, dry_run: bool = False
) -> ImportBatch:
    """Check the whole file, then store all its rows in one transaction (or nothing, with the errors kept).

    `dry_run` checks only: the batch row is removed again; a plain record with status CHECKED or FAILED comes back.
    """
    layout = layout_of(batch.kind, batch.options)
    kind = KINDS[layout]
    batch.status = "RUNNING"
    batch.started_at = utcnow()
    db.session.commit()
    tenant = db.session.get(Tenant, batch.tenant_id)
    try:
        table = _table(batch)
        mapping = map_header(layout, table.header)
        check_mapping(layout, table.header, mapping, batch.options)
        columns = {field: table.header[index] for field, index in mapping.items()}
        ctx = Context(batch=batch, zone=tenant.timezone, user_id=batch.created_by_id, options=batch.options, mapping=mapping)
        kind.prepare(ctx)

        # Pass 1: check every row, collect every error.
        errors: list[dict] = []
        error_count = 0
        aggregates = getattr(kind, "aggregates", False)
        staged = not dry_run and hasattr(kind, "stages") and kind.stages(ctx)
        kept: list[dict] | None = None if aggregates or staged else []
        count = 0
        for number, cells in table.rows():
            count += 1
            values, row_errors = kind.clean(ctx, _raw(mapping, cells), number)
            if row_errors:
                if staged and not error_count:
                    kind.abandon(ctx)  # stop writing at the first refused row; the rest is only checked
                for field, message in row_errors.items():
                    error_count += 1
                    if len(errors) < ERRORS_KEPT:
                        errors.append({"row": number, "column": columns.get(field, field), "message": str(message)})
            elif staged and not error_count:
                kind.stage(ctx, values)
            elif aggregates and not error_count:
                kind.add(ctx, values)
            elif kept is not None and not error_count:
                kept.append(values)
                if len(kept) > KEEP_IN_MEMORY:
                    kept = None
            if count % PROGRESS_EVERY == 0:
                _set_progress(batch, count, separate=staged)  # the open COPY keeps the transaction open
                if on_progress:
                    on_progress("check", count, 0)
        batch.rows = count
        if count == 0:
            return _fail(batch, _("The file has a header row but no data rows."))
        if error_count and staged:
            kind.abandon(ctx)
            db.session.rollback()
            batch.rows = count
        if error_count:
            batch = _fail(batch, _("%(count)s error(s): nothing was imported.", count=error_count), errors, error_count)
            return _forget(batch) if dry_run else batch
        if dry_run:
            batch.status = "CHECKED"
            return _forget(batch)
        batch.progress = count
        if not staged:
            db.session.commit()  # copied rows live in this transaction until the commit below

        # Pass 2: store, in one transaction.
        ctx.seen.clear()
        if aggregates:
            kind.write_all(ctx)
            kind.remember(ctx)
            source = []
        elif staged:
            kind.finish(ctx)
            source = []
        elif kept is not None:
            source = kept
        else:
            source = (kind.clean(ctx, _raw(mapping, cells), number)[0] for number, cells in table.rows())
        chunk: list[dict] = []
        written = 0
        for values in source:
            chunk.append(values)
            if len(chunk) >= CHUNK:
                kind.write(ctx, chunk)
                written += len(chunk)
                chunk = []
                if written % PROGRESS_EVERY < CHUNK:
                    _set_progress(batch, count + written, separate=True)
                    if on_progress:
                        on_progress("save", written, count)
        if chunk:
            kind.write(ctx, chunk)
            written += len(chunk)
        batch.status = "DONE"
        batch.created_count, batch.updated_count = ctx.created, ctx.updated
        batch.undo_data = ctx.undo or None
        batch.progress = 2 * count
        batch.finished_at = utcnow()
        batch.errors, batch.error_count = [], 0
        record(
            "create",
            "import_batch",
            batch.id,
            kind=batch.kind,
            tenant_id=batch.tenant_id,
            user=None,
            file=batch.file_name,
            rows=count,
            created=ctx.created,
            updated=ctx.updated,
        )
        db.session.commit()
    except FileRefused as refused:
        return _fail(batch, refused.message)
    except Exception as error:
        log.exception("import batch %s failed", batch.id)
        _fail(batch, _("The import failed: %(error)s", error=str(error)[:300]))
        raise
    batch_path(batch).unlink(missing_ok=True)
    if batch.kind == "costs" and ctx.months:
        from ..budgets.alerts import costs_changed

        costs_changed(batch.tenant_id, sorted(ctx.months))
    return batch


def _forget(batch: ImportBatch):
    """A dry run stores nothing: remove the batch row and its file; what it found is handed back as a plain record."""
    from types import SimpleNamespace

    names = ("id", "kind", "status", "rows", "errors", "error_count", "message", "created_count", "updated_count")
    facts = SimpleNamespace(**{name: getattr(batch, name) for name in names})
    batch_path(batch).unlink(missing_ok=True)
    db.session.delete(batch)
    db.session.commit()
    return facts


class CannotUndo(Exception):
    """Only a finished (DONE) batch can be undone."""


def undo_batch(batch: ImportBatch, user) -> int:
    """Remove exactly the rows the batch stored (and put back what it updated), in one transaction; the row count."""
    if batch.status != "DONE":
        raise CannotUndo(batch.status)
    kind = KINDS[batch.kind]
    tenant = db.session.get(Tenant, batch.tenant_id)
    ctx = Context(batch=batch, zone=tenant.timezone, user_id=getattr(user, "id", None), options=batch.options)
    kind.undo(ctx, batch)
    batch.status = "UNDONE"
    batch.undone_at = utcnow()
    batch.undone_by_id = getattr(user, "id", None)
    record(
        "undo",
        "import_batch",
        batch.id,
        tenant_id=batch.tenant_id,
        user=user,
        kind=batch.kind,
        file=batch.file_name,
        removed=ctx.created,
    )
    db.session.commit()
    if batch.kind == "costs" and ctx.months:
        from ..budgets.alerts import costs_changed

        costs_changed(batch.tenant_id, sorted(ctx.months))
    return ctx.created


def errors_csv(batch: ImportBatch) -> bytes:
    """Every kept error of a refused batch as CSV (row, column, message)."""
    rows = [[_("Row"), _("Column"), _("Message")]]
    rows += [[error["row"], error["column"], error["message"]] for error in batch.errors or []]
    if batch.error_count > len(batch.errors or []):
        rows.append(["", "", _("… and %(count)s more error(s).", count=batch.error_count - len(batch.errors or []))])
    return csv_bytes(rows)


def template_file(kind: str, file_format: str) -> bytes:
    """An import template: the Korean headers and one example row."""
    header = [column.korean for column in COLUMNS[kind]]
    example = [column.example for column in COLUMNS[kind]]
    if file_format == "csv":
        return csv_bytes([header, example])
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(header)
    sheet.append(example)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tenant_batches(tenant_id: int):
    """The tenant's batches, newest first (a select for paginate())."""
    return select(ImportBatch).where(ImportBatch.tenant_id == tenant_id).order_by(ImportBatch.id.desc())


def percent_done(batch: ImportBatch) -> int:
    """0–100 for the progress bar: checking is the first half, saving the second."""
    if batch.status in ("DONE", "FAILED", "UNDONE"):
        return 100
    if not batch.rows:
        return 0 if not batch.progress else 25
    return min(99, int(batch.progress * 50 / batch.rows))
