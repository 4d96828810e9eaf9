"""Bulk import and export of the directory, and the printable phone list."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.access import directory_reader_required
from directory.forms_bulk import ConfirmImportForm, ImportForm, PhoneListFilterForm
from directory.importing import (
    LARGE_FIELDS,
    ImportBatchClosed,
    ImportFileError,
    ImportMovesNotAccepted,
    export_csv,
    export_xlsx,
    import_cancel,
    import_confirm,
    import_preview,
    kind_columns,
    message_text,
    template_csv,
)
from directory.models import ImportBatch, ImportKind, ImportStatus
from directory.selectors import phone_list_sections

IMPORT_PERMISSION = "directory.import_directory"
PREVIEW_PAGE_SIZE = 100
MOVES_SHOWN = 200  # every move is also noted in its row of the changes
RECENT_BATCHES = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An id in a query string: ASCII digits (str.isdigit() also passes "²³", which
# int() refuses), short enough for a 64-bit column.
ID_RE = re.compile(r"[0-9]{1,18}")


def get_batch_for_user(request, pk: int, *, queryset=None) -> ImportBatch:
    """An import batch its uploader (or a superuser) may see; 404 for anyone else.

    `queryset` narrows what is read, e.g. without the stored rows and errors.
    """
    batch = get_object_or_404(ImportBatch.objects if queryset is None else queryset, pk=pk)
    if batch.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return batch


def _without_rows():
    """Batches without their stored rows and errors (up to MAX_ROWS rows of
    JSON), for the views that only change or report a batch's state."""
    return ImportBatch.objects.defer(*LARGE_FIELDS)


def _kind_or_404(kind: str) -> str:
    if kind not in ImportKind.values:
        raise Http404
    return kind


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_page(request):
    """Upload a file to preview, download exports and empty templates."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_preview(
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                user=request.user,
            )
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("directory:import-preview", pk=batch.pk)
    recent = (
        ImportBatch.objects.filter(created_by=request.user)
        .defer(*LARGE_FIELDS, "columns")
        .order_by("-created_at", "-pk")[:RECENT_BATCHES]
    )
    kinds = [
        {"kind": value, "label": label, "columns": kind_columns(value)}
        for value, label in ImportKind.choices
    ]
    context = {"form": form, "kinds": kinds, "recent": recent}
    status = 400 if request.method == "POST" else 200
    return render(request, "directory/import.html", context, status=status)


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_preview_page(request, pk):
    """What confirming would create and update, the extensions it would move to
    someone else, and every row error."""
    batch = get_batch_for_user(request, pk)
    form = ConfirmImportForm(move_count=batch.move_count)
    return render(request, "directory/import_preview.html", _preview_context(request, batch, form))


def _preview_context(request, batch: ImportBatch, form) -> dict:
    """The preview page's context. Stored errors and notes are rendered here, in
    the viewer's language (they are kept in none: see importing.formats)."""
    show_all = request.GET.get("show") == "all"
    entries = batch.rows if show_all else [e for e in batch.rows if e["action"] != "unchanged"]
    page = Paginator(entries, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {**entry, "notes": [message_text(note) for note in entry.get("notes", ())]}
        for entry in page.object_list
    ]
    errors = [
        {"row": error.get("row"), "column": error.get("column"), "message": message_text(error)}
        for error in batch.errors
    ]
    return {
        "batch": batch,
        "page": page,
        "show_all": show_all,
        "errors": errors,
        "errors_shown": len(errors),
        "moves": batch.moves[:MOVES_SHOWN],
        "confirm_form": form,
    }


@require_POST
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_confirm_view(request, pk):
    """Queue the batch for the worker. Without a broker (the embedded default)
    it is applied before this returns; with one, the preview page follows it.
    A file that moves extensions to someone else needs those moves accepted
    (import_confirm checks): if not, the preview comes back with the error."""
    batch = get_batch_for_user(request, pk, queryset=_without_rows())
    form = ConfirmImportForm(request.POST, move_count=batch.move_count)
    try:
        batch = import_confirm(batch=batch, user=request.user, accepted_moves=form.accepted_moves())
    except ImportMovesNotAccepted as exc:
        form.add_error("accept_moves", str(exc))
        batch = get_batch_for_user(request, pk)
        context = _preview_context(request, batch, form)
        return render(request, "directory/import_preview.html", context, status=400)
    except ImportBatchClosed as exc:
        messages.warning(request, str(exc))
        return redirect("directory:import-preview", pk=batch.pk)
    if batch.status == ImportStatus.APPLIED:
        messages.success(request, _applied_message(batch))
        return redirect("directory:import")
    # Queued: the preview page shows how it goes. Sent back: it shows why.
    return redirect("directory:import-preview", pk=batch.pk)


def _applied_message(batch: ImportBatch) -> str:
    return _("Imported %(file)s: %(created)d created, %(updated)d updated, %(same)d unchanged.") % {
        "file": batch.filename,
        "created": batch.create_count,
        "updated": batch.update_count,
        "same": batch.unchanged_count,
    }


@require_POST
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_cancel_view(request, pk):
    batch = get_batch_for_user(request, pk, queryset=_without_rows())
    try:
        import_cancel(batch=batch, user=request.user)
    except ImportBatchClosed as exc:
        messages.warning(request, str(exc))
        return redirect("directory:import-preview", pk=batch.pk)
    messages.info(request, _("Import cancelled; nothing was saved."))
    return redirect("directory:import")


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def export(request, kind, fmt):
    """Every department, person or extension, in the import format."""
    kind = _kind_or_404(kind)
    stamp = timezone.localdate().isoformat()
    filename = f"directory-{kind}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(export_csv(kind), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(export_xlsx(kind), content_type=XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_template(request, kind):
    """An empty CSV with the header row of a kind."""
    kind = _kind_or_404(kind)
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="directory-{kind}-template.csv"'
    return response


# Phone list ------------------------------------------------------------------


@require_GET
@directory_reader_required  # the desk, the admins and staff members with a Staff record
def phone_list(request):
    """Departments in tree order with their main line and their people's
    extensions, laid out to print on a page or two."""
    raw = request.GET.get("department") or None
    department_pk = int(raw) if raw and ID_RE.fullmatch(raw) else None
    tree, sections = phone_list_sections(department_pk=department_pk)
    form = PhoneListFilterForm(request.GET or None, departments=tree)
    context = {
        "form": form,
        "sections": sections,
        "selected": next((d for d, _depth in tree if d.pk == department_pk), None),
        "printed_at": timezone.localtime(),
    }
    return render(request, "directory/phone_list.html", context)
