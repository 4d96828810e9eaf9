"""Reads of the call log for the console, the log table and the caller page."""

from datetime import date, datetime, time

from django.db.models import Count, Subquery
from django.utils import timezone

from calls.models import Call, Caller


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as an aware [start, end) range, for index-friendly filters."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timezone.timedelta(days=1), time.min, tzinfo=tz)


def calls_for_day(*, day: date, operator=None):
    """The day's calls, newest first, optionally for one operator."""
    start, end = day_bounds(day)
    calls = Call.objects.for_log_table().filter(started_at__gte=start, started_at__lt=end)
    if operator is not None:
        calls = calls.filter(operator=operator)
    return calls


def caller_get(number) -> Caller | None:
    """The Caller for a number (E.164 or a PhoneNumber), or None."""
    if not number:
        return None
    return Caller.objects.filter(number=number).first()


def caller_history(caller: Caller, *, limit: int | None = 10):
    """A caller's calls, newest first."""
    calls = Call.objects.for_log_table().filter(caller=caller)
    return calls[:limit] if limit else calls


# What a row of the console's day list shows: nothing else is read.
CONSOLE_DAY_FIELDS = (
    "started_at",
    "direction",
    "outcome",
    "number_withheld",
    "caller_name",
    "caller__name",
    "caller__number",
    "caller__company",
    "asked_for_staff__full_name",
    "asked_for_department__name",
    "transferred_to__number",
)


def console_day(*, day: date, operator, limit: int = 20) -> tuple[list[Call], int]:
    """An operator's latest `limit` calls of the day, newest first, and how many
    calls they took that day, in one query on the (operator, -started_at) index
    whatever the length of the day (the count is a subquery run once)."""
    start, end = day_bounds(day)
    mine = Call.objects.live().filter(operator=operator, started_at__gte=start, started_at__lt=end)
    day_count = mine.order_by().values("operator").annotate(n=Count("pk")).values("n")
    rows = list(
        mine.select_related("caller", "asked_for_staff", "asked_for_department", "transferred_to")
        .only(*CONSOLE_DAY_FIELDS)
        .annotate(day_count=Subquery(day_count))[:limit]
    )
    return rows, (rows[0].day_count if rows else 0)
