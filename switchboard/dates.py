"""Local days and months in the company's time zone (settings.TIME_ZONE):
the one place that turns a date into the aware instants a query filters on,
for every app (a call at 23:59 Jakarta time is that day's, not the next UTC
day's)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def local_day_start(day: date) -> datetime:
    """Local midnight starting `day`, aware."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as an aware [start, end) range, for index-friendly filters."""
    return local_day_start(day), local_day_start(day + timedelta(days=1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
