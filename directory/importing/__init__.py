"""Bulk import and export of departments, staff and extensions.

An import happens in two steps. `import_preview` reads the uploaded CSV/XLSX
file, checks every row and stores what it would do as an ImportBatch; nothing
else is written. The admin reads the preview and either confirms
(`import_apply`, one transaction, all or nothing) or cancels (`import_cancel`).
The batch lives in the database so the confirm may reach any web container.

Exports write the same columns, so exporting and importing the file again
changes nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.importing import departments, extensions, staff
from directory.importing.tabular import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    csv_stream,
    read_table,
    xlsx_bytes,
)
from directory.models import ImportBatch, ImportKind, ImportStatus

__all__ = [
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportBatchClosed",
    "ImportFileError",
    "ImportStale",
    "export_csv",
    "export_xlsx",
    "import_apply",
    "import_cancel",
    "import_preview",
    "kind_columns",
    "template_csv",
]

FORMATS = {
    ImportKind.DEPARTMENTS: departments,
    ImportKind.STAFF: staff,
    ImportKind.EXTENSIONS: extensions,
}
MAX_STORED_ERRORS = 1000
PERMISSION = "directory.import_directory"


class ImportBatchClosed(Exception):
    """The batch was already applied or cancelled, or has errors."""


class ImportStale(Exception):
    """The directory changed since the preview so that some rows no longer fit."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} rows no longer fit the directory")
        self.errors = errors


def kind_columns(kind: str):
    return FORMATS[kind].COLUMNS


def _check_permission(user) -> None:
    if user is None or not user.has_perm(PERMISSION):
        raise PermissionDenied(_("You may not import or export the directory."))


def import_preview(*, kind: str, uploaded_file, user, now=None) -> ImportBatch:
    """Read and check an uploaded file and store the result as an ImportBatch
    waiting for confirmation. Writes nothing to the directory.

    Raises ImportFileError when the file as a whole is unusable (type, encoding,
    size, header). Row problems do not raise: they are stored on the batch with
    their row number and column, and such a batch cannot be applied.
    """
    _check_permission(user)
    fmt = FORMATS[kind]
    table = read_table(
        uploaded_file,
        allowed_columns=[c.name for c in fmt.COLUMNS],
        required_columns=[c.name for c in fmt.COLUMNS if c.required],
    )
    rows, errors = fmt.clean_rows(table.rows)
    bad_rows = {e["row"] for e in errors}
    for row in rows:
        row["ok"] = row["row"] not in bad_rows
    plan = fmt.plan(rows, set(table.columns))
    errors = _sorted_errors([*errors, *plan.errors], table.columns)
    return ImportBatch.objects.create(
        kind=kind,
        filename=(getattr(uploaded_file, "name", "") or "")[:255],
        columns=table.columns,
        rows=plan.entries,
        errors=errors[:MAX_STORED_ERRORS],
        row_count=len(table.rows),
        create_count=plan.count("create"),
        update_count=plan.count("update"),
        unchanged_count=plan.count("unchanged"),
        error_count=len(errors),
        created_by=user,
        created_at=now or timezone.now(),
    )


def _sorted_errors(errors, columns):
    order = {column: index for index, column in enumerate(columns)}
    return sorted(errors, key=lambda e: (e["row"], order.get(e["column"], -1)))


def import_apply(*, batch: ImportBatch, user, now=None) -> ImportBatch:
    """Apply a previewed batch in one transaction, keeping history rows for every
    change; returns the batch, now applied.

    The batch is claimed with a conditional update whose row count is checked,
    so a double click or two containers apply it once; the loser gets
    ImportBatchClosed. The rows are matched again against the directory as it
    is now: if some no longer fit (someone changed the directory meanwhile),
    nothing is written, the new errors are stored on the batch and ImportStale
    is raised.
    """
    _check_permission(user)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(
                pk=batch.pk, status=ImportStatus.PREVIEWED, error_count=0
            ).update(status=ImportStatus.APPLIED, applied_at=now)
            if claimed != 1:
                raise ImportBatchClosed(_closed_message(batch))
            fresh = ImportBatch.objects.get(pk=batch.pk)
            fmt = FORMATS[fresh.kind]
            rows = [{"row": e["row"], "data": e["data"], "ok": True} for e in fresh.rows]
            plan = fmt.plan(rows, set(fresh.columns))
            if plan.errors:
                raise ImportStale(_sorted_errors(plan.errors, fresh.columns))
            reason = f"import #{fresh.pk} {fresh.filename}"[:100]
            fmt.apply(plan, user=user, reason=reason)
            ImportBatch.objects.filter(pk=batch.pk).update(
                create_count=plan.count("create"),
                update_count=plan.count("update"),
                unchanged_count=plan.count("unchanged"),
            )
    except ImportStale as exc:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
            errors=exc.errors[:MAX_STORED_ERRORS], error_count=len(exc.errors)
        )
        raise
    batch.refresh_from_db()
    return batch


def _closed_message(batch) -> str:
    status = ImportBatch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
    if status == ImportStatus.PREVIEWED:
        return _("This file has errors. Correct them and upload it again.")
    return _("This import was already applied or cancelled.")


def import_cancel(*, batch: ImportBatch, user) -> ImportBatch:
    """Mark a previewed batch cancelled; nothing of it is ever written.

    Raises ImportBatchClosed when it was already applied or cancelled.
    """
    _check_permission(user)
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.CANCELLED
    )
    if cancelled != 1:
        raise ImportBatchClosed(_("This import was already applied or cancelled."))
    batch.refresh_from_db()
    return batch


def _header(kind: str) -> list[str]:
    return [c.name for c in FORMATS[kind].COLUMNS]


def export_csv(kind: str):
    """CSV text chunks of every record of a kind, to stream to the browser."""
    return csv_stream(_header(kind), FORMATS[kind].export_rows())


def export_xlsx(kind: str) -> bytes:
    return xlsx_bytes(_header(kind), FORMATS[kind].export_rows(), title=kind)


def template_csv(kind: str) -> str:
    """An empty file with just the header row, to fill in."""
    return "".join(csv_stream(_header(kind), []))
