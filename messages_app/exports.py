"""Export of the filtered complaint list: CSV streamed in flat memory, XLSX
capped, through the project's one CSV streamer and XLSX writer
(switchboard.spreadsheets), as the call log does.

Rows come from values_list over .iterator(), so no model instance is built.
Headers are the model's field names in the exporter's language; times are
local, the zone named in their header. In the CSV every text a person typed
(customer, description, names kept by admins) is escaped against formulas; in
the XLSX cells keep their types (numbers are numbers, times are dates) and
such a text is an explicit text cell. Labels, the zone and the language are
fixed when the export is asked for, not while the rows stream."""

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

from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_COMPLAINT_STATUSES,
    Complaint,
    ComplaintStatus,
    Severity,
)
from switchboard.phones import phone_display
from switchboard.spreadsheets import csv_stream, csv_text, xlsx_bytes, xlsx_text

CHUNK_SIZE = 2000
XLSX_MAX_ROWS = 100_000
PHONE_CACHE_MAX = 50_000
_NUMBER_TEXT = "export_customer_number"


@dataclass(frozen=True)
class Column:
    """One column: a Complaint field's verbose name (or a label of its own),
    its XLSX width, and whether it is a time (its header names the zone)."""

    field: str = ""
    label: object = None
    width: int = 16
    timed: bool = False

    def title(self, zone: str) -> str:
        label = self.label
        if label is None:
            label = Complaint._meta.get_field(self.field).verbose_name
        label = capfirst(str(label))
        return f"{label} ({zone})" if self.timed else label


COLUMNS = (
    Column("reference", width=17),
    Column("created_at", width=18, timed=True),
    Column("customer_name", width=24),
    Column("customer_number", width=17),
    Column("customer_email", width=24),
    Column("category", width=18),
    Column("product", width=18),
    Column("severity", width=10),
    Column("status", width=13),
    Column("department", width=22),
    Column("assigned_to", width=22),
    Column("acknowledge_due_at", width=18, timed=True),
    Column("resolve_due_at", width=18, timed=True),
    Column("acknowledged_at", width=18, timed=True),
    Column("resolved_at", width=18, timed=True),
    Column("closed_at", width=18, timed=True),
    Column(label=gettext_lazy("overdue"), width=10),
    Column("escalation_level", width=10),
    Column("created_by", width=20),
    Column("description", width=50),
)
PATHS = (
    "reference",
    "created_at",
    "customer_name",
    _NUMBER_TEXT,
    "customer_email",
    "category__name",
    "product__name",
    "severity",
    "status",
    "department__name",
    "assigned_to__full_name",
    "acknowledge_due_at",
    "resolve_due_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "escalation_level",
    "created_by_id",
    "description",
)


def header() -> list[str]:
    zone = timezone.get_current_timezone_name()
    return [column.title(zone) for column in COLUMNS]


@dataclass(frozen=True)
class _Format:
    text: Callable
    time: Callable
    statuses: dict
    severities: dict
    yes_no: dict


def _format(*, for_csv: bool) -> _Format:
    tz = timezone.get_current_timezone()
    text = csv_text if for_csv else xlsx_text
    if for_csv:

        def time(value):
            return value.astimezone(tz).isoformat(" ", "minutes")[:16] if value else ""
    else:

        def time(value):
            # Excel has no time zones: local time, the zone is named in the header.
            return (
                value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
                if value
                else None
            )

    return _Format(
        text=text,
        time=time,
        statuses={value: text(str(label)) for value, label in ComplaintStatus.choices},
        severities={value: text(str(label)) for value, label in Severity.choices},
        yes_no={True: text(_("yes")), False: text(_("no"))},
    )


def export_rows(queryset, fmt: _Format, *, now, limit: int | None = None) -> Iterator[list]:
    """The rows of the complaints in the queryset, in its order, in chunks,
    written as `fmt` says. On PostgreSQL from a server-side cursor inside a
    transaction (outside one it would be computed whole before the first row)."""
    rows = queryset.annotate(**{_NUMBER_TEXT: Cast("customer_number", CharField())}).values_list(
        *PATHS
    )
    if limit is not None:
        rows = rows[:limit]
    text, time = fmt.text, fmt.time
    numbers: dict[str, str] = {}
    with transaction.atomic(using=rows.db):
        # Who recorded it, by id: a company has a few hundred log-ins at most.
        users = {
            pk: text(f"{first} {last}".strip() or username)
            for pk, first, last, username in get_user_model()
            ._default_manager.using(rows.db)
            .values_list("pk", "first_name", "last_name", "username")
            .iterator()
        }
        for (
            reference,
            created_at,
            customer_name,
            number,
            email,
            category,
            product,
            severity,
            status,
            department,
            assigned_to,
            acknowledge_due,
            resolve_due,
            acknowledged,
            resolved,
            closed,
            escalation,
            created_by,
            description,
        ) in rows.iterator(chunk_size=CHUNK_SIZE):
            national = ""
            if number:
                national = numbers.get(number)
                if national is None:
                    if len(numbers) >= PHONE_CACHE_MAX:
                        numbers.clear()
                    national = numbers[number] = text(phone_display(number))
            overdue = bool(
                (
                    status in UNACKNOWLEDGED_COMPLAINT_STATUSES
                    and acknowledge_due
                    and acknowledge_due < now
                )
                or (status in OPEN_COMPLAINT_STATUSES and resolve_due and resolve_due < now)
            )
            yield [
                text(reference),
                time(created_at),
                text(customer_name),
                national or text(""),
                text(email),
                text(category),
                text(product),
                fmt.severities.get(severity) or text(severity),
                fmt.statuses.get(status) or text(status),
                text(department),
                text(assigned_to),
                time(acknowledge_due),
                time(resolve_due),
                time(acknowledged),
                time(resolved),
                time(closed),
                fmt.yes_no[overdue],
                escalation,
                users.get(created_by, text("")),
                text(description),
            ]


def complaints_csv(queryset) -> Iterator[str]:
    """CSV chunks for a StreamingHttpResponse, headed in the active language."""
    fmt = _format(for_csv=True)
    return csv_stream(
        header(),
        export_rows(queryset, fmt, now=timezone.now()),
        escaped=True,
        chunk_rows=CHUNK_SIZE,
    )


def xlsx_too_many(queryset) -> bool:
    """Whether more complaints match than one XLSX export holds."""
    return queryset.order_by().values("pk")[XLSX_MAX_ROWS : XLSX_MAX_ROWS + 1].exists()


def complaints_xlsx(queryset) -> bytes:
    """An XLSX of at most XLSX_MAX_ROWS complaints, typed cells, frozen header."""
    fmt = _format(for_csv=False)
    return xlsx_bytes(
        header(),
        export_rows(queryset, fmt, now=timezone.now(), limit=XLSX_MAX_ROWS),
        title=_("Complaints"),
        widths=[column.width for column in COLUMNS],
    )
