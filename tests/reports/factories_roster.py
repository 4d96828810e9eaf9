"""Factories for the roster, clock and attendance tests."""

from datetime import datetime, time

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from reports.models import ClockSession, RosterEntry, RosterKind, ShiftType
from switchboard.roles import OPERATOR
from tests.factories import UserFactory

JAKARTA = timezone.get_default_timezone()


def at(day, hour, minute=0):
    """An aware moment on `day` at hour:minute, Jakarta time."""
    return datetime.combine(day, time(hour, minute), tzinfo=JAKARTA)


class ShiftTypeFactory(DjangoModelFactory):
    class Meta:
        model = ShiftType
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Shift {n}")
    code = factory.Sequence(lambda n: "ABDEFGHJ"[n % 8] + "ABDEFGHJ"[(n // 8) % 8])
    starts_at = time(7)
    ends_at = time(15)
    late_grace_minutes = 5
    early_grace_minutes = 5


def desk_shifts() -> dict[str, ShiftType]:
    """The demo's three shifts: Pagi 07–15, Siang 15–23, Malam 23–07."""
    return {
        "P": ShiftTypeFactory(code="P", name="Pagi", starts_at=time(7), ends_at=time(15), order=0),
        "S": ShiftTypeFactory(
            code="S", name="Siang", starts_at=time(15), ends_at=time(23), order=1
        ),
        "M": ShiftTypeFactory(code="M", name="Malam", starts_at=time(23), ends_at=time(7), order=2),
    }


def make_operator(username, **kwargs):
    return UserFactory(username=username, roles=[OPERATOR], **kwargs)


class RosterEntryFactory(DjangoModelFactory):
    class Meta:
        model = RosterEntry

    operator = factory.SubFactory(UserFactory, roles=[OPERATOR])
    date = factory.LazyFunction(timezone.localdate)
    kind = RosterKind.SHIFT
    shift_type = factory.LazyFunction(lambda: desk_shifts()["P"])


class ClockSessionFactory(DjangoModelFactory):
    class Meta:
        model = ClockSession

    clock_in = factory.LazyFunction(timezone.now)
    clock_out = None
