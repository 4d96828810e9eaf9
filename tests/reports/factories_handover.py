"""Helpers for the handover and dashboard tests: shifts around the real
clock (the pages read it), made with the roster's factories."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from reports.models import RosterEntry, RosterKind
from tests.reports.factories_roster import ShiftTypeFactory


def shift_from(start_local: datetime, hours: int = 8, code: str = "X"):
    """A shift type starting at `start_local` (local, on the hour) lasting `hours`."""
    end = (start_local + timedelta(hours=hours)).time()
    return ShiftTypeFactory(
        code=code, name=f"Shift {code}", starts_at=start_local.time(), ends_at=end
    )


def roster(operator, shift_type, day):
    return RosterEntry.objects.create(
        operator=operator, date=day, kind=RosterKind.SHIFT, shift_type=shift_type
    )


def shift_around_now(operator, *, code="XA", hours_before=1):
    """`operator` rostered on a shift that started `hours_before` hours ago
    (on the hour); returns (entry, the shift's local start)."""
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_before)
    shift = shift_from(start, code=code)
    return roster(operator, shift, start.date()), start


def next_shift(operator, start_local, *, code="XB"):
    """`operator` rostered on the shift that starts 8 hours after `start_local`."""
    begin = start_local + timedelta(hours=8)
    return roster(operator, shift_from(begin, code=code), begin.date())


def local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_default_timezone())
