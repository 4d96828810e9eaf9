"""Export of the filtered call log: CSV streamed in flat memory, XLSX capped.

Rows come from values_list over .iterator(chunk_size=...), so no model instance is
built and memory stays flat however many calls match. Every cell goes through the
directory's spreadsheet helpers, which escape formula-like text (a caller name
typed as "=HYPERLINK(...)" is exported as text, never run).
"""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import CallerKind, Direction, Outcome
from directory.importing.tabular import csv_stream, xlsx_bytes

CHUNK_SIZE = 2000
XLSX_MAX_ROWS = 200_000

# (header, values_list path)
EXPORT_COLUMNS = (
    ("id", "pk"),
    ("started_at", "started_at"),
    ("ended_at", "ended_at"),
    ("duration_seconds", "duration_seconds"),
    ("direction", "direction"),
    ("operator", "operator__username"),
    ("caller_number", "caller__number"),
    ("caller_name", "caller_name"),
    ("caller_company", "caller_company"),
    ("caller_kind", "caller_kind"),
    ("asked_for_staff", "asked_for_staff__full_name"),
    ("department", "asked_for_department__name"),
    ("transferred_to", "transferred_to__number"),
    ("category", "category__name"),
    ("purpose", "purpose"),
    ("outcome", "outcome"),
    ("personal", "is_personal"),
    ("notes", "notes"),
)
HEADER = [name for name, _path in EXPORT_COLUMNS]
PATHS = [path for _name, path in EXPORT_COLUMNS]
_TIME_COLUMNS = {HEADER.index("started_at"), HEADER.index("ended_at")}
_LABELS = {
    HEADER.index("direction"): dict(Direction.choices),
    HEADER.index("outcome"): dict(Outcome.choices),
    HEADER.index("caller_kind"): dict(CallerKind.choices),
}


def _cell(index: int, value) -> str:
    if value is None:
        return ""
    if index in _TIME_COLUMNS:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if index in _LABELS:
        return str(_LABELS[index].get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def export_rows(queryset, *, limit: int | None = None) -> Iterator[list[str]]:
    """Text rows of the calls in the queryset, in its order, fetched in chunks."""
    rows = queryset.values_list(*PATHS)
    if limit is not None:
        rows = rows[:limit]
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [_cell(i, v) for i, v in enumerate(values)]


def calls_csv(queryset) -> Iterator[str]:
    """CSV chunks for a StreamingHttpResponse (formula-like cells escaped)."""
    return csv_stream(HEADER, export_rows(queryset))


def xlsx_too_many(queryset) -> bool:
    """Whether more calls match than one XLSX export holds."""
    return queryset.order_by().values("pk")[XLSX_MAX_ROWS : XLSX_MAX_ROWS + 1].exists()


def calls_xlsx(queryset) -> bytes:
    """An XLSX (openpyxl write-only) of at most XLSX_MAX_ROWS calls."""
    return xlsx_bytes(HEADER, export_rows(queryset, limit=XLSX_MAX_ROWS), title=_("Calls"))
