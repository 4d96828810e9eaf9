"""Bulk import and export of departments, staff and extensions.

An import happens in two steps. `import_preview` reads the uploaded CSV/XLSX
file, checks every row and stores what it would do as an ImportBatch; nothing
else is written. The admin reads the preview and either confirms or cancels
(`import_cancel`). Confirming (`import_confirm`) queues the batch; a Celery task
applies it (`apply_confirmed`: one transaction, all or nothing), so a file of
tens of thousands of rows does not hold a web request. `import_apply` applies
a batch at once, in the caller's process. The batch lives in the database, so
the confirm may reach any web container and a queued batch survives a broker
or worker outage: `requeue_stuck` sends it again.

Exports write the same columns, so exporting and importing the file again
changes nothing.
"""

import logging
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from directory.importing import departments, extensions, staff
from directory.importing.formats import message, message_text
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
    "LARGE_FIELDS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportBatchClosed",
    "ImportMovesNotAccepted",
    "ImportFileError",
    "ImportStale",
    "export_csv",
    "export_xlsx",
    "apply_confirmed",
    "import_apply",
    "import_cancel",
    "import_confirm",
    "import_preview",
    "kind_columns",
    "message_text",
    "purge_old_batches",
    "lost_after",
    "requeue_stuck",
    "template_csv",
]
logger = logging.getLogger(__name__)

FORMATS = {
    ImportKind.DEPARTMENTS: departments,
    ImportKind.STAFF: staff,
    ImportKind.EXTENSIONS: extensions,
}
MAX_STORED_ERRORS = 1000
# Confirmed this long ago and never handed to the broker (it was down): send it.
UNSENT_AFTER = timedelta(minutes=5)
PERMISSION = "directory.import_directory"
# A batch's stored rows, errors and moves: up to MAX_ROWS rows of JSON. Only the
# preview page and _apply need them; whatever reports a batch's state leaves
# them unread.
LARGE_FIELDS = ("rows", "errors", "moves")


class ImportBatchClosed(Exception):
    """The batch was already applied or cancelled, or has errors."""


class ImportMovesNotAccepted(ImportBatchClosed):
    """The file moves extensions from one person or department to another, and
    the admin did not accept (that many) moves: the batch stays previewed."""

    def __init__(self, count: int):
        if not count:
            super().__init__(
                _("The extension moves you accepted are not this file's. Reload the preview.")
            )
            self.count = count
            return
        super().__init__(
            ngettext(
                "This file moves %(count)d extension from one person or department to "
                "another. Tick that you accept the move to confirm.",
                "This file moves %(count)d extensions from one person or department to "
                "another. Tick that you accept the moves to confirm.",
                count,
            )
            % {"count": count}
        )
        self.count = count


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
    their row number and column (in no language: see formats.message), and such
    a batch cannot be applied. Extensions the file moves from one owner to
    another are stored too: confirming needs the admin to accept them.
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
        moves=plan.moves,
        move_count=len(plan.moves),
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


def import_apply(*, batch: ImportBatch, user, accepted_moves: int = 0, now=None) -> ImportBatch:
    """Apply a previewed batch now, in this process; returns it, applied.

    `accepted_moves` as for import_confirm. Raises ImportMovesNotAccepted,
    ImportBatchClosed when it was already confirmed, applied or cancelled or has
    errors, and ImportStale as _apply does.
    """
    _check_permission(user)
    return _apply(
        batch.pk,
        user=user,
        claim_from=ImportStatus.PREVIEWED,
        accepted_moves=accepted_moves,
        now=now,
    )


def import_confirm(*, batch: ImportBatch, user, accepted_moves: int = 0, now=None) -> ImportBatch:
    """Queue a previewed batch for the worker to apply; returns it, queued.

    `accepted_moves` is how many extension moves the admin accepted: it must be
    the batch's move_count (so 0 for a file that moves none), else
    ImportMovesNotAccepted is raised and nothing changes.

    The batch is claimed with a conditional update whose row count is checked,
    so a double click or two containers queue it once; the loser gets
    ImportBatchClosed. The task is sent once the claim is committed.
    """
    _check_permission(user)
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportStatus.PREVIEWED, error_count=0, move_count=accepted_moves
    ).update(status=ImportStatus.QUEUED, confirmed_by=user, confirmed_at=now or timezone.now())
    if claimed != 1:
        _raise_closed(batch.pk)
    transaction.on_commit(lambda: _send(batch.pk, now=now))
    _refresh_state(batch)
    return batch


def _send(batch_pk: int, *, now=None, last_sent=None) -> bool:
    """Hand a queued batch to the worker and record it (sent_at); True if sent.

    The send is claimed first with a conditional update of sent_at (from
    `last_sent`, the value the caller saw), so two sweeps, or a sweep and the
    confirm, send a batch once. If the broker cannot take it now, the claim is
    taken back: the batch stays queued, unsent, and requeue_stuck sends it later.
    """
    from directory.tasks import apply_import_task  # the task module imports this one

    now = now or timezone.now()
    claimed = (
        ImportBatch.objects.filter(pk=batch_pk, status=ImportStatus.QUEUED, sent_at=last_sent)
        if last_sent is not None
        else ImportBatch.objects.filter(
            pk=batch_pk, status=ImportStatus.QUEUED, sent_at__isnull=True
        )
    ).update(sent_at=now)
    if claimed != 1:
        return False
    try:
        apply_import_task.delay(batch_pk)
    except Exception:
        ImportBatch.objects.filter(pk=batch_pk, sent_at=now).update(sent_at=last_sent)
        if apply_import_task.app.conf.task_always_eager:
            raise  # in-process: the error is the import's own, not the broker's
        logger.exception("import #%s stays queued: the task could not be sent", batch_pk)
        return False
    return True


def apply_confirmed(batch_pk: int, *, now=None) -> ImportBatch | None:
    """The worker's half of import_confirm: apply a queued batch as the admin
    who confirmed it. Idempotent: a batch that is no longer queued (applied by
    an earlier run, or sent back with errors) is left alone and None returned.
    When the directory changed so that rows no longer fit, nothing is written
    and the batch goes back to the admin with the errors."""
    batch = (
        ImportBatch.objects.filter(pk=batch_pk, status=ImportStatus.QUEUED)
        .select_related("confirmed_by")
        .only("pk", "confirmed_by")
        .first()
    )
    if batch is None:
        return None
    try:
        return _apply(batch_pk, user=batch.confirmed_by, claim_from=ImportStatus.QUEUED, now=now)
    except (ImportBatchClosed, ImportStale):
        return None


def _apply(batch_pk: int, *, user, claim_from: str, accepted_moves=None, now=None) -> ImportBatch:
    """Apply a batch in one transaction, keeping history rows for every change.

    The batch is claimed (`claim_from` → applied) inside the transaction, so
    concurrent runs apply it once and a run that dies writes nothing and leaves
    the batch as it was. The rows are matched again against the directory as it
    is now: if some no longer fit (someone changed the directory meanwhile),
    nothing is written, the batch goes back to previewed with the new errors
    and ImportStale is raised. So it does when the directory now makes an
    extension move that the admin did not see (and accept) in the preview.
    A previewed batch is claimed only with its moves accepted (accepted_moves).
    """
    now = now or timezone.now()
    claim = {"pk": batch_pk, "status": claim_from, "error_count": 0}
    if accepted_moves is not None:
        claim["move_count"] = accepted_moves
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(**claim).update(
                status=ImportStatus.APPLIED, applied_at=now
            )
            if claimed != 1:
                _raise_closed(batch_pk)
            fresh = ImportBatch.objects.defer("errors").get(pk=batch_pk)  # [] when claimable
            fmt = FORMATS[fresh.kind]
            rows = [{"row": e["row"], "data": e["data"], "ok": True} for e in fresh.rows]
            plan = fmt.plan(rows, set(fresh.columns))
            errors = [*plan.errors, *_unseen_moves(plan.moves, fresh.moves)]
            if errors:
                raise ImportStale(_sorted_errors(errors, fresh.columns))
            reason = f"import #{fresh.pk} {fresh.filename}"[:100]
            fmt.apply(plan, user=user, reason=reason)
            ImportBatch.objects.filter(pk=batch_pk).update(
                create_count=plan.count("create"),
                update_count=plan.count("update"),
                unchanged_count=plan.count("unchanged"),
            )
    except ImportStale as exc:
        ImportBatch.objects.filter(pk=batch_pk, status=claim_from).update(
            status=ImportStatus.PREVIEWED,
            errors=exc.errors[:MAX_STORED_ERRORS],
            error_count=len(exc.errors),
        )
        raise
    return ImportBatch.objects.defer(*LARGE_FIELDS).get(pk=batch_pk)


def lost_after() -> timedelta:
    """How long after its send a batch still queued counts as lost: twice the
    task's hard time limit, so a long import is never sent again while it runs."""
    return timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def requeue_stuck(*, now=None) -> int:
    """Send the queued batches whose task never reached the broker (confirmed
    more than UNSENT_AFTER ago, never sent: the broker was down), and, as a
    safety net for a message the broker lost, those sent more than
    lost_after() ago and still not applied. A batch being applied is never
    sent again. Returns how many were sent."""
    now = now or timezone.now()
    queued = ImportBatch.objects.filter(status=ImportStatus.QUEUED)
    due = queued.filter(
        Q(sent_at__isnull=True, confirmed_at__lt=now - UNSENT_AFTER)
        | Q(sent_at__lt=now - lost_after())
    )
    sent = 0
    for pk, last_sent in due.order_by("pk").values_list("pk", "sent_at"):
        if last_sent is not None:
            logger.warning(
                "import #%s was sent at %s and is still queued: sent again", pk, last_sent
            )
        if _send(pk, now=now, last_sent=last_sent):
            sent += 1
    return sent


def purge_old_batches(*, now=None) -> int:
    """Delete uploaded files' batches older than IMPORT_RETENTION_DAYS, except
    queued ones: previews nobody confirmed, cancelled and applied imports (the
    directory's own history keeps what each import changed). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_RETENTION_DAYS)
    deleted, _by_model = (
        ImportBatch.objects.exclude(status=ImportStatus.QUEUED)
        .filter(created_at__lt=cutoff)
        .delete()
    )
    return deleted


def _unseen_moves(moves, accepted) -> list[dict]:
    """An error for each extension move the admin did not accept in the preview."""
    seen = {(m["number"], m["from"], m["to"]) for m in accepted}
    return [
        {
            "row": move["row"],
            "column": move["column"],
            **message(
                gettext_noop(
                    "Extension %(number)s now moves from %(from)s to %(to)s, which the "
                    "preview did not show. Upload the file again to review it."
                ),
                number=move["number"],
                **{"from": move["from"], "to": move["to"]},
            ),
        }
        for move in moves
        if (move["number"], move["from"], move["to"]) not in seen
    ]


def _raise_closed(batch_pk: int) -> NoReturn:
    """Why a batch could not be claimed, as the exception to raise."""
    state = (
        ImportBatch.objects.filter(pk=batch_pk)
        .values("status", "error_count", "move_count")
        .first()
    ) or {"status": None}
    if state["status"] == ImportStatus.PREVIEWED:
        if state["error_count"] == 0:  # claimable, but not with these moves
            raise ImportMovesNotAccepted(state["move_count"])
        raise ImportBatchClosed(_("This file has errors. Correct them and upload it again."))
    if state["status"] == ImportStatus.QUEUED:
        raise ImportBatchClosed(_("This import is already being applied."))
    raise ImportBatchClosed(_("This import was already applied or cancelled."))


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
    _refresh_state(batch)
    return batch


def _refresh_state(batch: ImportBatch) -> None:
    """Read the batch's status, counts and stamps again, but not its rows and
    errors: those are dropped from the instance (deferred, as by .defer()), so
    they are read again, fresh, only if something asks for them."""
    batch.refresh_from_db(
        fields=[
            f.attname
            for f in ImportBatch._meta.concrete_fields
            if not f.primary_key and f.name not in LARGE_FIELDS
        ]
    )
    for name in LARGE_FIELDS:
        vars(batch).pop(name, None)


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
