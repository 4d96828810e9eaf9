"""seed_demo_roster: the demo desk's roster comes alive on the first run and a
second run changes nothing."""

import pytest
from django.core.management import call_command

from reports.models import (
    AttendanceDay,
    AttendanceStatus,
    ClockSession,
    RosterEntry,
    ShiftSwap,
    ShiftType,
    SwapStatus,
)
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts():
    return (
        RosterEntry.history.count(),
        ClockSession.objects.count(),
        AttendanceDay.history.count(),
        ShiftSwap.history.count(),
    )


def test_the_demo_roster_is_alive_and_idempotent():
    UserFactory(username="operator", roles=[OPERATOR])
    UserFactory(username="supervisor", roles=[SUPERVISOR])
    call_command("seed_demo_roster")
    assert set(ShiftType.objects.values_list("code", flat=True)) == {"P", "S", "M"}
    assert RosterEntry.objects.values("operator").distinct().count() == 4
    assert RosterEntry.objects.filter(kind="leave").exists()
    assert RosterEntry.objects.filter(kind="sick").exists()
    days = AttendanceDay.objects
    assert days.filter(status=AttendanceStatus.PRESENT).count() > 100
    assert days.filter(late_minutes__gt=0).exists()
    assert days.filter(early_minutes__gt=0).exists()
    assert days.filter(status=AttendanceStatus.ABSENT).exists()
    assert ShiftSwap.objects.filter(status=SwapStatus.ACCEPTED).count() == 1
    assert ShiftSwap.objects.filter(status=SwapStatus.REQUESTED, colleague__username="operator")
    before = counts()
    call_command("seed_demo_roster")
    assert counts() == before
