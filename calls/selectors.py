"""Reads of the call log for the console, the log table and the caller page."""

from datetime import date, datetime, time

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
