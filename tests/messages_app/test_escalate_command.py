"""`manage.py escalate`: the sweeps by hand, with the time passed in."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from messages_app.models import ComplaintStatus, SlipEvent
from tests.factories import DepartmentFactory, StaffFactory
from tests.messages_app.factories import ComplaintFactory, SlipFactory, SlipRecipientFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
DUE = datetime(2026, 3, 2, 12, 0, tzinfo=JAKARTA)  # a Monday


@pytest.fixture
def slip(db):
    slip = SlipFactory(due_at=DUE, created_at=datetime(2026, 3, 2, 8, tzinfo=JAKARTA))
    SlipRecipientFactory(slip=slip)
    return slip


@pytest.fixture
def complaint(db):
    department = DepartmentFactory()
    department.head = StaffFactory(department=department)
    department.save()
    return ComplaintFactory(
        department=department,
        status=ComplaintStatus.ROUTED,
        created_at=datetime(2026, 3, 2, 8, tzinfo=JAKARTA),
        acknowledge_due_at=DUE,
    )


def escalate(*args) -> str:
    out = StringIO()
    call_command("escalate", *args, stdout=out)
    return out.getvalue()


def levels(slip, complaint):
    slip.refresh_from_db()
    complaint.refresh_from_db()
    return slip.escalation_level, complaint.escalation_level


def test_with_no_option_it_escalates_slips_and_complaints(slip, complaint):
    out = escalate("--now", "2026-03-02T12:00:00+07:00")

    assert "Message slips: 1 escalation step(s) taken." in out
    assert "Complaints: 1 escalation step(s) taken." in out
    assert levels(slip, complaint) == (1, 1)


def test_slips_only(slip, complaint):
    out = escalate("--slips", "--now", "2026-03-02T12:00+07:00")

    assert "Complaints" not in out
    assert levels(slip, complaint) == (1, 0)


def test_complaints_only(slip, complaint):
    out = escalate("--complaints", "--now", "2026-03-02T12:00+07:00")

    assert "Message slips" not in out
    assert levels(slip, complaint) == (0, 1)


def test_a_time_without_an_offset_is_the_company_time(slip, complaint):
    escalate("--now", "2026-03-02T11:59")  # Jakarta: a minute early
    assert levels(slip, complaint) == (0, 0)

    escalate("--now", "2026-03-02T12:00")
    assert levels(slip, complaint) == (1, 1)
    assert SlipEvent.objects.get(slip=slip).at == DUE


def test_without_now_it_decides_on_the_clock(slip, complaint):
    escalate()  # the real clock is past March 2026

    assert levels(slip, complaint) == (1, 1)


def test_running_it_again_takes_no_step_twice(slip, complaint):
    escalate("--now", "2026-03-02T12:00")

    out = escalate("--now", "2026-03-02T12:00")

    assert "Message slips: 0 escalation step(s) taken." in out
    assert "Complaints: 0 escalation step(s) taken." in out
    assert SlipEvent.objects.filter(slip=slip).count() == 1


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-03-02T25:00", "", "12:00"])
def test_a_bad_time_is_a_clear_error_and_changes_nothing(slip, complaint, value):
    with pytest.raises(CommandError, match="is not a date and time; use ISO 8601"):
        escalate("--now", value)

    assert levels(slip, complaint) == (0, 0)


def test_an_unknown_option_is_refused(slip, complaint):
    with pytest.raises(CommandError, match="unrecognized arguments"):
        escalate("--everything")
