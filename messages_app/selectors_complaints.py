"""Reads behind the complaint list, its export and its report: the rows a
user may see with what the table shows, the keyword search, the overdue
condition, and the counts by category and product over time (GROUP BY)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast, TruncMonth, TruncWeek
from django.utils import timezone

from directory.text import fold
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    UNACKNOWLEDGED_COMPLAINT_STATUSES,
    SavedFilter,
)
from messages_app.services.complaints import format_reference
from switchboard.dates import local_day_start
from switchboard.phones import parse_phone_number


def deadline_flags(complaint, now) -> dict:
    """Whether the complaint is late to be acknowledged, or to be resolved."""
    ack_late = bool(
        complaint.acknowledge_due_at
        and complaint.status in UNACKNOWLEDGED_COMPLAINT_STATUSES
        and complaint.acknowledge_due_at < now
    )
    resolve_late = bool(
        complaint.resolve_due_at and complaint.is_open and complaint.resolve_due_at < now
    )
    return {"acknowledge": ack_late, "resolve": resolve_late, "any": ack_late or resolve_late}


# What a list row shows, and no more, as plain values: a complaint's
# description and search text are long, and building five model instances
# per row was most of a page's time.
LIST_FIELDS = (
    "pk",
    "reference",
    "created_at",
    "customer_name",
    "severity",
    "status",
    "acknowledge_due_at",
    "resolve_due_at",
)
LIST_VALUES = {
    "category_name": F("category__name"),
    "product_name": F("product__name"),
    "department_name": F("department__name"),
    "assigned_to_name": F("assigned_to__full_name"),
    # As stored (E.164 text): formatted only to be shown, never parsed here.
    "number_text": Cast("customer_number", CharField()),
}


class ListRow(SimpleNamespace):
    """A list row's values, with what deadline_flags asks of
    a complaint."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES


# A reference typed in full ("KEL-2026-000123", "kel-2026-123"): the unique
# index finds it, without the trigram search.
REFERENCE_RE = re.compile(r"\s*([A-Za-z]{2,5})-([0-9]{4})-([0-9]{1,6})\s*")
# A number as people type one: digits with spaces, dashes, dots, slashes,
# brackets and a leading +; at least seven digits (an extension is no customer).
PHONE_RE = re.compile(r"\s*\+?[0-9()./\- ]+\s*")
PHONE_MIN_DIGITS = 7
MAX_WORDS = 8
# Words this short match the start of a word (" ab"), which the trigram index
# answers; a single letter is no search at all.
SHORT_WORD = 2


def complaint_list_rows(queryset):
    """What a list row shows (LIST_FIELDS and LIST_VALUES), as dictionaries."""
    return queryset.values(*LIST_FIELDS, **LIST_VALUES)


def reference_of(text: str) -> str | None:
    """The reference `text` names in full, normalised (KEL-2026-000123), or None."""
    match = REFERENCE_RE.fullmatch(text or "")
    if match is None:
        return None
    prefix, year, number = match.groups()
    formatted = format_reference(int(year), int(number))
    return formatted if formatted.startswith(prefix.upper() + "-") else None


def phone_of(text: str) -> str | None:
    """The E.164 form of a number typed any way (0812-3456-7890, +62 812…), or
    None when `text` is not a valid number."""
    if not PHONE_RE.fullmatch(text or "") or sum(c.isdigit() for c in text) < PHONE_MIN_DIGITS:
        return None
    try:
        return parse_phone_number(text)
    except ValidationError:
        return None


def search_words(text: str) -> list[str]:
    """The folded words of a keyword search that take part in it."""
    return [word for word in fold(text).split() if len(word) >= SHORT_WORD][:MAX_WORDS]


def keyword_filter(queryset, text: str):
    """Complaints matching a keyword search: a reference in full by the unique
    index; a phone number in any form by its E.164 form; else every word in
    the folded search text (reference, customer name, number as E.164 and as
    national digits, description), which the trigram index answers on
    PostgreSQL. Short words match the start of a word."""
    reference = reference_of(text)
    if reference is not None:
        return queryset.filter(reference=reference)
    phone = phone_of(text)
    if phone is not None:
        return queryset.filter(search_text__contains=phone)
    for word in search_words(text):
        pattern = word if len(word) > SHORT_WORD else f" {word}"
        queryset = queryset.filter(search_text__contains=pattern)
    return queryset


def overdue_q(now) -> Q:
    """Late to be acknowledged (still new or routed) or to be resolved (still
    open), as deadline_flags marks a row. Written as "open,
    and late for either" so that the database finds them by the status index:
    as an OR of the two, it read the table from its oldest rows, where no
    complaint is still open (the overdue ones are the last weeks')."""
    late = Q(status__in=UNACKNOWLEDGED_COMPLAINT_STATUSES, acknowledge_due_at__lt=now) | Q(
        resolve_due_at__lt=now
    )
    return Q(status__in=OPEN_COMPLAINT_STATUSES) & late


def late_by_q(end: datetime) -> Q:
    """Late for either deadline as of `end` (the daily recap's "overdue at
    the day's end"): due before it and not acknowledged (resolved) by then,
    or acknowledged (resolved) after the deadline. Unlike overdue_q (late
    *now*), a complaint acknowledged or resolved late still counts, so the
    figure of a past day stays what it was."""
    late_ack = Q(acknowledge_due_at__lt=end) & (
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=F("acknowledge_due_at"))
    )
    late_resolve = Q(resolve_due_at__lt=end) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("resolve_due_at"))
    )
    return late_ack | late_resolve


def created_between(queryset, first: date | None, last: date | None):
    """Complaints recorded from the local day `first` to the end of `last`."""
    if first is not None:
        queryset = queryset.filter(created_at__gte=local_day_start(first))
    if last is not None:
        queryset = queryset.filter(created_at__lt=local_day_start(last + timedelta(days=1)))
    return queryset


def capped_count(queryset, cap: int) -> int:
    """How many rows match, counting no further than cap + 1: a COUNT over a
    LIMIT, so its cost is bounded however many match. Unordered: ordered, the
    database may read and sort every match before the LIMIT when it misjudges
    how many there are (a keyword search's trigram estimate, 6,500 for 83,000
    actual, took 360 ms); unordered it stops at cap + 1."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def saved_filters_for(user) -> list[SavedFilter]:
    """The user's own filters, then those others share, in one query."""
    found = SavedFilter.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")
    return sorted(found, key=lambda saved: (saved.owner_id != user.pk, saved.name, saved.pk))


# The report ------------------------------------------------------------------

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True)
class Counts:
    """Complaints per (period start, category id, product id); None for none."""

    cells: dict[tuple[date, int | None, int | None], int]

    def by(self, dimension: str) -> dict[tuple[date, int | None], int]:
        """Summed per (period start, id) of "category" or "product"."""
        index = 1 if dimension == "category" else 2
        summed: dict[tuple[date, int | None], int] = {}
        for key, n in self.cells.items():
            cell = (key[0], key[index])
            summed[cell] = summed.get(cell, 0) + n
        return summed


def complaint_counts(queryset, *, period: str) -> Counts:
    """One GROUP BY query over the queryset: complaints per local week or
    month, category and product (both dimensions of the report from one scan)."""
    tz = timezone.get_current_timezone()
    trunc = TruncWeek if period == WEEK else TruncMonth
    rows = (
        queryset.order_by()
        .annotate(period=trunc("created_at", tzinfo=tz))
        .values_list("period", "category_id", "product_id")
        .annotate(n=Count("pk"))
    )
    cells = {}
    for start, category, product, n in rows:
        day = start.astimezone(tz).date() if isinstance(start, datetime) else start
        cells[(day, category, product)] = cells.get((day, category, product), 0) + n
    return Counts(cells=cells)
