"""Export of the filtered call log: CSV streamed in flat memory, XLSX capped.

Rows come from values_list over .iterator(chunk_size=...), so no model instance is
built and memory stays flat however many calls match; the CSV goes out in chunks of
CHUNK_SIZE rows through the project's one streamer (switchboard.spreadsheets).

Both files have the same columns, headed in the language of the person exporting
(the column labels are the model's translated field names); times are local,
with the time zone named in their header. In the CSV every text cell typed by a
person is escaped against formulas (a caller name typed as "=HYPERLINK(...)" gets
a leading quote); in the XLSX cells keep their types (ids and durations are
numbers, times are dates) and such text is an explicit text cell.

The labels, the time zone and the language are read when the export is asked
for, in the request, not while the streamed rows are being sent.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Call, CallerKind, Direction, Outcome
from switchboard.phones import phone_display_e164
from switchboard.spreadsheets import csv_stream, csv_text, xlsx_bytes, xlsx_text

CHUNK_SIZE = 2000  # rows per database fetch and per CSV chunk
FIRST_CHUNK_ROWS = 100
XLSX_MAX_ROWS = 200_000
PHONE_CACHE_MAX = 50_000


@dataclass(frozen=True)
class Column:
    """One column of the export: a stable key (for code and tests), its
    header (a Call field's verbose name, or a label of its own) and its
    XLSX width in characters; `timed` columns name the time zone."""

    key: str
    field: str = ""
    label: object = None
    width: int = 16
    timed: bool = False

    def title(self, zone: str) -> str:
        label = (
            self.label if self.label is not None else Call._meta.get_field(self.field).verbose_name
        )
        label = capfirst(str(label))
        return f"{label} ({zone})" if self.timed else label


COLUMNS = (
    Column("id", "id", width=9),
    Column("started_at", "started_at", width=20, timed=True),
    Column("ended_at", "ended_at", width=20, timed=True),
    Column("duration_seconds", "duration_seconds", width=11),
    Column("direction", "direction", width=11),
    Column("operator", "operator", width=24),
    Column("caller_number", label=gettext_lazy("caller number"), width=17),
    Column("caller_extension", "caller_extension", width=11),
    Column("number_withheld", "number_withheld", width=11),
    Column("caller_name", "caller_name", width=24),
    Column("caller_company", "caller_company", width=24),
    Column("caller_kind", "caller_kind", width=12),
    Column("asked_for_staff", "asked_for_staff", width=24),
    Column("department", "asked_for_department", width=24),
    Column("transferred_to", "transferred_to", width=11),
    Column("requested_by", "requested_by", width=24),
    Column("category", "category", width=18),
    Column("purpose", "purpose", width=32),
    Column("outcome", "outcome", width=20),
    Column("answer_given", "info_entry", width=32),
    Column("personal", "is_personal", width=11),
    Column("notes", "notes", width=40),
)
KEYS = [column.key for column in COLUMNS]

# The caller's number comes as its stored text (E.164), not as a PhoneNumber
# object parsed per row; the national form is worked out once per number.
_NUMBER_TEXT = "export_caller_number"
PATHS = (
    "pk",
    "started_at",
    "ended_at",
    "duration_seconds",
    "direction",
    "operator_id",
    _NUMBER_TEXT,
    "caller_extension",
    "number_withheld",
    "caller_name",
    "caller_company",
    "caller_kind",
    "asked_for_staff__full_name",
    "asked_for_department__name",
    "transferred_to__number",
    "requested_by__full_name",
    "category__name",
    "purpose",
    "outcome",
    "info_entry__title",
    "is_personal",
    "notes",
)


def header() -> list[str]:
    """The column headers in the active language, times with the zone named."""
    zone = timezone.get_current_timezone_name()
    return [column.title(zone) for column in COLUMNS]


@dataclass(frozen=True)
class _Format:
    """How one file type writes a text cell and a time, and the labels it
    uses, fixed when the export is asked for."""

    text: Callable
    time: Callable
    directions: dict
    outcomes: dict
    kinds: dict
    yes_no: dict


def _format(*, for_csv: bool) -> _Format:
    tz = timezone.get_current_timezone()
    text = csv_text if for_csv else xlsx_text
    if for_csv:

        def time(value):
            # isoformat is much cheaper than strftime; [:19] drops the UTC offset.
            return value.astimezone(tz).isoformat(" ", "seconds")[:19] if value else ""
    else:

        def time(value):
            # Excel has no time zones: local time, the zone is named in the header.
            return value.astimezone(tz).replace(tzinfo=None, microsecond=0) if value else None

    return _Format(
        text=text,
        time=time,
        directions={value: text(str(label)) for value, label in Direction.choices},
        outcomes={value: text(str(label)) for value, label in Outcome.choices},
        kinds={value: text(str(label)) for value, label in CallerKind.choices},
        yes_no={True: text(_("yes")), False: text(_("no")), None: text("")},
    )


def export_rows(queryset, fmt: _Format, *, limit: int | None = None) -> Iterator[list]:
    """The rows of the calls in the queryset, in its order, fetched in chunks
    and written as `fmt` says (text and times for CSV, typed cells for XLSX).

    Labels, yes/no and the time zone come with `fmt`, not per cell. On
    PostgreSQL the rows stream from a server-side cursor inside a transaction
    (a cursor outside one is WITH HOLD: the whole result is computed before the
    first row comes)."""
    rows = queryset.annotate(**{_NUMBER_TEXT: Cast("caller__number", CharField())}).values_list(
        *PATHS
    )
    if limit is not None:
        rows = rows[:limit]
    text, time = fmt.text, fmt.time
    directions, outcomes, kinds, yes_no = fmt.directions, fmt.outcomes, fmt.kinds, fmt.yes_no
    blank = text("")
    numbers: dict[str, str] = {}
    with transaction.atomic(using=rows.db):
        # Operators by id, as User.get_full_name() (the log-in for a user with
        # no name): a company has a few hundred log-ins at most, read at once
        # instead of joined and sorted with every call.
        operators = {
            pk: text(f"{first} {last}".strip() or username)
            for pk, first, last, username in get_user_model()
            ._default_manager.using(rows.db)
            .values_list("pk", "first_name", "last_name", "username")
            .iterator()
        }
        for (
            pk,
            started_at,
            ended_at,
            duration,
            direction,
            operator_id,
            caller_number,
            caller_extension,
            withheld,
            caller_name,
            caller_company,
            caller_kind,
            staff,
            department,
            transferred_to,
            requested_by,
            category,
            purpose,
            outcome,
            answer,
            personal,
            notes,
        ) in rows.iterator(chunk_size=CHUNK_SIZE):
            if caller_number:
                national = numbers.get(caller_number)
                if national is None:
                    if len(numbers) >= PHONE_CACHE_MAX:
                        numbers.clear()  # memory stays flat on an export of many numbers
                    national = numbers[caller_number] = text(phone_display_e164(caller_number))
            else:
                national = blank
            yield [
                pk,
                time(started_at),
                time(ended_at),
                duration,
                directions.get(direction) or text(direction),
                operators.get(operator_id, blank),
                national,
                text(caller_extension),
                yes_no[withheld],
                text(caller_name),
                text(caller_company),
                kinds.get(caller_kind) or text(caller_kind),
                text(staff),
                text(department),
                text(transferred_to),
                text(requested_by),
                text(category),
                text(purpose),
                outcomes.get(outcome) or text(outcome),
                text(answer),
                yes_no[personal],
                text(notes),
            ]


def calls_csv(queryset) -> Iterator[str]:
    """CSV chunks for a StreamingHttpResponse (formula-like cells escaped),
    headed and labelled in the active language."""
    fmt = _format(for_csv=True)
    return csv_stream(
        header(),
        export_rows(queryset, fmt),
        escaped=True,  # export_rows escaped every typed text; labels and numbers are safe
        chunk_rows=CHUNK_SIZE,
        first_rows=FIRST_CHUNK_ROWS,
    )


def xlsx_too_many(queryset) -> bool:
    """Whether more calls match than one XLSX export holds."""
    return queryset.order_by().values("pk")[XLSX_MAX_ROWS : XLSX_MAX_ROWS + 1].exists()


def calls_xlsx(queryset) -> bytes:
    """An XLSX (openpyxl write-only) of at most XLSX_MAX_ROWS calls, with typed
    cells, a frozen header row, filters and column widths."""
    fmt = _format(for_csv=False)
    return xlsx_bytes(
        header(),
        export_rows(queryset, fmt, limit=XLSX_MAX_ROWS),
        title=_("Calls"),
        widths=[column.width for column in COLUMNS],
    )
