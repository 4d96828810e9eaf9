"""Export of the filtered call log: CSV streamed in flat memory, XLSX capped.

Rows come from values_list over .iterator(chunk_size=...), so no model instance is
built and memory stays flat however many calls match; the CSV goes out in chunks of
CHUNK_SIZE rows. Every cell is escaped with the directory's escape_formula, so
formula-like text (a caller name typed as "=HYPERLINK(...)") is exported as text,
never run.
"""

import csv
import io
from collections.abc import Iterator

import phonenumbers
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import CallerKind, Direction, Outcome
from directory.importing.tabular import FORMULA_PREFIXES, escape_formula, xlsx_bytes

CHUNK_SIZE = 2000
FIRST_CHUNK_ROWS = 100
XLSX_MAX_ROWS = 200_000
PHONE_CACHE_MAX = 50_000

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
# The caller's number comes as its stored text (E.164), not as a PhoneNumber
# object parsed per row; the national form is worked out once per number.
_NUMBER_TEXT = "export_caller_number"
PATHS = [_NUMBER_TEXT if path == "caller__number" else path for _name, path in EXPORT_COLUMNS]


def _national(e164: str) -> str:
    """The national form of a stored E.164 number, as the log shows it.

    A stored number is "+<country code><national number>": it is split with the
    country code table instead of going through phonenumbers.parse() (most of the
    cost per number); anything unusual takes the full parse."""
    digits = e164[1:]
    if e164[:1] == "+" and digits.isdigit():
        for size in (1, 2, 3):
            if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                rest = digits[size:]
                if rest and rest[0] != "0":
                    number = phonenumbers.PhoneNumber(
                        country_code=int(digits[:size]), national_number=int(rest)
                    )
                    return phonenumbers.format_number(
                        number, phonenumbers.PhoneNumberFormat.NATIONAL
                    )
                break
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _time(value, tz) -> str:
    # isoformat is much cheaper than strftime; [:19] drops the UTC offset.
    return value.astimezone(tz).isoformat(" ", "seconds")[:19] if value else ""


# Every formula prefix is one character: a cell needs escape_formula only when
# its first character is one of them (most cells are not, or are empty).
assert all(len(prefix) == 1 for prefix in FORMULA_PREFIXES)  # noqa: S101
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def _safe(text: str | None) -> str:
    if not text:
        return ""
    return escape_formula(text) if text[0] in _FORMULA_FIRST else text


def export_rows(queryset, *, limit: int | None = None, escape: bool = False) -> Iterator[list[str]]:
    """Text rows of the calls in the queryset, in its order, fetched in chunks;
    with escape, every cell is escaped against formulas (escape_formula).

    Labels, yes/no and the time zone are looked up once per export, not per cell.
    On PostgreSQL the rows stream from a server-side cursor inside a transaction
    (a cursor outside one is WITH HOLD: the whole result is computed before the
    first row comes)."""
    rows = queryset.annotate(**{_NUMBER_TEXT: Cast("caller__number", CharField())}).values_list(
        *PATHS
    )
    if limit is not None:
        rows = rows[:limit]
    tz = timezone.get_current_timezone()
    text = _safe if escape else _plain
    directions = {value: text(str(label)) for value, label in Direction.choices}
    outcomes = {value: text(str(label)) for value, label in Outcome.choices}
    kinds = {value: text(str(label)) for value, label in CallerKind.choices}
    yes_no = {True: text(_("yes")), False: text(_("no")), None: ""}
    numbers: dict[str, str] = {}
    with transaction.atomic(using=rows.db):
        for (
            pk,
            started_at,
            ended_at,
            duration,
            direction,
            operator,
            caller_number,
            caller_name,
            caller_company,
            caller_kind,
            staff,
            department,
            transferred_to,
            category,
            purpose,
            outcome,
            personal,
            notes,
        ) in rows.iterator(chunk_size=CHUNK_SIZE):
            if caller_number:
                national = numbers.get(caller_number)
                if national is None:
                    if len(numbers) >= PHONE_CACHE_MAX:
                        numbers.clear()  # memory stays flat on an export of many numbers
                    national = numbers[caller_number] = text(_national(caller_number))
            else:
                national = ""
            yield [
                str(pk),
                _time(started_at, tz),
                _time(ended_at, tz),
                "" if duration is None else str(duration),
                "" if direction is None else directions.get(direction) or text(direction),
                text(operator),
                national,
                text(caller_name),
                text(caller_company),
                "" if caller_kind is None else kinds.get(caller_kind) or text(caller_kind),
                text(staff),
                text(department),
                text(transferred_to),
                text(category),
                text(purpose),
                "" if outcome is None else outcomes.get(outcome) or text(outcome),
                yes_no[personal],
                text(notes),
            ]


def _plain(text: str | None) -> str:
    return text or ""


def csv_chunks(
    rows: Iterator[list[str]], *, chunk_rows: int | None = None, first_rows: int | None = None
) -> Iterator[str]:
    """CSV text in chunks of chunk_rows rows (the first one smaller, so the
    download starts at once): a byte-order mark (so Excel reads UTF-8) and the
    header first. The rows come escaped (export_rows(escape=True))."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    chunk_rows = chunk_rows or CHUNK_SIZE
    pending = 0
    limit = first_rows or FIRST_CHUNK_ROWS
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending == limit:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
            limit = chunk_rows
    if pending:
        yield buffer.getvalue()


def calls_csv(queryset) -> Iterator[str]:
    """CSV chunks for a StreamingHttpResponse (formula-like cells escaped)."""
    return csv_chunks(export_rows(queryset, escape=True))


def xlsx_too_many(queryset) -> bool:
    """Whether more calls match than one XLSX export holds."""
    return queryset.order_by().values("pk")[XLSX_MAX_ROWS : XLSX_MAX_ROWS + 1].exists()


def calls_xlsx(queryset) -> bytes:
    """An XLSX (openpyxl write-only) of at most XLSX_MAX_ROWS calls."""
    return xlsx_bytes(HEADER, export_rows(queryset, limit=XLSX_MAX_ROWS), title=_("Calls"))
