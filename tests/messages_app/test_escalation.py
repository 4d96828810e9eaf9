"""Escalation of unacknowledged slips and overdue complaints (the sweeps in
messages_app.services.escalation, and the tasks beat runs them through).

Time is passed in: every sweep gets `now`, so nothing sleeps. The business
calendar is set up here (the default week: Mon-Thu 08-12, 13-17; Fri 08-11:30,
13-17; no holidays) so that the figures below do not depend on seeded data.
"""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from directory.models import Holiday, Presence, WorkingPeriod
from messages_app.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    MessageSlip,
    Notification,
    NotificationKind,
    RecipientRole,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    Urgency,
    UrgencyLimit,
)
from messages_app.services import escalation
from messages_app.services.escalation import complaint_escalation_sweep, slip_escalation_sweep
from messages_app.tasks import complaint_escalation_task, slip_escalation_task
from switchboard.models import UserPreference
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.factories import DepartmentFactory, StaffFactory, UserFactory
from tests.messages_app.factories import ComplaintFactory, SlipFactory, SlipRecipientFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
WEEK = {
    0: [(time(8), time(12)), (time(13), time(17))],
    1: [(time(8), time(12)), (time(13), time(17))],
    2: [(time(8), time(12)), (time(13), time(17))],
    3: [(time(8), time(12)), (time(13), time(17))],
    4: [(time(8), time(11, 30)), (time(13), time(17))],
}
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two sweeps at once need two connections to one database (PostgreSQL)",
)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment in March 2026, Jakarta time (2 March is a Monday, 6 a Friday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def calendar(db):
    WorkingPeriod.objects.all().delete()
    Holiday.objects.all().delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(weekday=weekday, start=start, end=end)
        for weekday, spans in WEEK.items()
        for start, end in spans
    )


@pytest.fixture(autouse=True)
def limits(db):
    for urgency, minutes, business_time, next_day in (
        (Urgency.URGENT, 10, False, False),
        (Urgency.HIGH, 30, True, False),
        (Urgency.NORMAL, 240, True, False),
        (Urgency.LOW, None, True, True),
    ):
        UrgencyLimit.objects.update_or_create(
            urgency=urgency,
            defaults={
                "minutes": minutes,
                "business_time": business_time,
                "next_working_day": next_day,
            },
        )


@pytest.fixture
def supervisors(db):
    """Two supervisors with addresses (one reads Indonesian), one without, one
    inactive, and an operator: only the first two are e-mailed."""
    sari = UserFactory(username="sari", email="sari@example.co.id", roles=[SUPERVISOR])
    joko = UserFactory(username="joko", email="joko@example.co.id", roles=[SUPERVISOR])
    UserPreference.objects.create(user=joko, language="id")
    UserFactory(username="noaddress", email="", roles=[SUPERVISOR])
    UserFactory(username="gone", email="gone@example.co.id", roles=[SUPERVISOR], is_active=False)
    UserFactory(username="desk", email="desk@example.co.id", roles=[OPERATOR])
    return [sari, joko]


@pytest.fixture
def people(db):
    """Budi (away, covered by Citra) in Finance, headed by Dewi."""
    finance = DepartmentFactory(name="Keuangan", code="FIN")
    dewi = StaffFactory(full_name="Dewi Kepala", department=finance, email="dewi@example.co.id")
    finance.head = dewi
    finance.save()
    citra = StaffFactory(
        full_name="Citra Pengganti", department=finance, email="citra@example.co.id"
    )
    budi = StaffFactory(
        full_name="Budi Santoso",
        department=finance,
        email="budi@example.co.id",
        presence=Presence.OUT,
        cover=citra,
    )
    return {"finance": finance, "dewi": dewi, "citra": citra, "budi": budi}


def slip_for(person, *, due_at, urgency=Urgency.NORMAL, **kwargs):
    slip = SlipFactory(
        for_staff=person,
        due_at=due_at,
        urgency=urgency,
        created_at=due_at - timedelta(hours=4),
        **kwargs,
    )
    SlipRecipientFactory(slip=slip, staff=person, role=RecipientRole.ADDRESSEE)
    return slip


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def events(slip):
    return list(SlipEvent.objects.filter(slip=slip).values_list("kind", flat=True))


def sent(slip, kind=None):
    rows = Notification.objects.filter(slip=slip)
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("address", flat=True))


# Slips: the steps --------------------------------------------------------------


def test_nothing_happens_before_the_limit(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))

    assert slip_escalation_sweep(now=at(2, 11, 59)) == 0

    slip = fresh(slip)
    assert (slip.escalation_level, slip.next_escalation_at) == (0, None)
    assert events(slip) == []
    assert sent(slip) == []


def test_after_the_limit_the_slip_is_sent_again_to_its_recipients(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))

    assert slip_escalation_sweep(now=at(2, 12)) == 1

    slip = fresh(slip)
    assert slip.escalation_level == 1
    # The next step one normal limit (4 working hours) later, lunch not counted.
    assert slip.next_escalation_at == at(2, 17)
    event = SlipEvent.objects.get(slip=slip)
    assert (event.kind, event.at, event.by) == ("escalated_resent", at(2, 12), None)
    assert "Budi Santoso" in event.note
    assert sent(slip, NotificationKind.SLIP_REMINDER) == ["budi@example.co.id"]


def test_the_notifications_of_a_step_carry_the_sweeps_time(people, supervisors):
    """A sweep run for a moment (a replay, the demo seed) writes what it tells
    as of that moment, like its timeline rows."""
    slip = slip_for(people["budi"], due_at=at(2, 12))
    complaint = ComplaintFactory(
        department=people["finance"],
        status=ComplaintStatus.ROUTED,
        created_at=at(2, 8),
        acknowledge_due_at=at(2, 12),
    )
    slip_escalation_sweep(now=at(2, 12, 1))
    complaint_escalation_sweep(now=at(2, 12, 5))

    told = Notification.objects.filter(slip=slip).values_list("created_at", "next_attempt_at")
    assert set(told) == {(at(2, 12, 1), at(2, 12, 1))}
    told = Notification.objects.filter(complaint=complaint).values_list("created_at", flat=True)
    assert set(told) == {at(2, 12, 5)}


def test_then_it_goes_to_the_cover_of_an_addressee_who_is_away(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    slip_escalation_sweep(now=at(2, 12))

    assert slip_escalation_sweep(now=at(2, 16, 59)) == 0  # not yet: next step at 17:00
    assert slip_escalation_sweep(now=at(2, 17)) == 1

    slip = fresh(slip)
    assert slip.escalation_level == 2
    assert slip.next_escalation_at == at(3, 12)  # Tuesday, after 4 more working hours
    cover = SlipRecipient.objects.get(slip=slip, staff=people["citra"])
    assert (cover.role, cover.added_at) == (RecipientRole.COVER, at(2, 17))
    event = SlipEvent.objects.filter(slip=slip).last()
    assert event.kind == "escalated_to_cover"
    assert "Citra Pengganti" in event.note and "Budi Santoso" in event.note
    assert sent(slip, NotificationKind.SLIP_ESCALATED) == ["citra@example.co.id"]


def test_it_goes_to_the_head_when_the_addressee_is_in(people):
    budi = people["budi"]
    budi.presence = Presence.IN
    budi.save()
    slip = slip_for(budi, due_at=at(2, 12))
    slip_escalation_sweep(now=at(2, 12))

    slip_escalation_sweep(now=at(2, 17))

    head = SlipRecipient.objects.get(slip=slip, role=RecipientRole.HEAD)
    assert head.staff == people["dewi"]
    assert events(slip)[-1] == "escalated_to_head"
    assert sent(slip, NotificationKind.SLIP_ESCALATED) == ["dewi@example.co.id"]
    assert not SlipRecipient.objects.filter(slip=slip, staff=people["citra"]).exists()


def test_it_goes_to_the_head_when_the_cover_had_it_already(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    SlipRecipientFactory(slip=slip, staff=people["citra"], role=RecipientRole.COVER)
    slip_escalation_sweep(now=at(2, 12))
    assert sent(slip, NotificationKind.SLIP_REMINDER) == [
        "budi@example.co.id",
        "citra@example.co.id",
    ]

    slip_escalation_sweep(now=at(2, 17))

    assert events(slip)[-1] == "escalated_to_head"
    assert sent(slip, NotificationKind.SLIP_ESCALATED) == ["dewi@example.co.id"]


def test_then_the_supervisors_see_it_and_are_emailed(people, supervisors):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    for now in (at(2, 12), at(2, 17)):
        slip_escalation_sweep(now=now)

    assert slip_escalation_sweep(now=at(3, 11, 59)) == 0
    assert slip_escalation_sweep(now=at(3, 12)) == 1

    slip = fresh(slip)
    assert (slip.escalation_level, slip.next_escalation_at) == (3, None)
    assert events(slip) == ["escalated_resent", "escalated_to_cover", "escalated_to_supervisors"]
    # Only supervisors with an address, active: not the operator.
    rows = Notification.objects.filter(slip=slip, kind=NotificationKind.SLIP_ESCALATED)
    assert sorted(rows.values_list("address", "language")) == [
        ("citra@example.co.id", "en"),
        ("joko@example.co.id", "id"),
        ("sari@example.co.id", "en"),
    ]
    note = SlipEvent.objects.filter(slip=slip).last().note
    assert all(user.get_full_name() in note for user in supervisors)

    # No step after the last one, however long it waits.
    assert slip_escalation_sweep(now=at(30, 12)) == 0
    assert fresh(slip).escalation_level == 3


def test_with_no_cover_and_no_head_it_goes_to_the_supervisors_at_step_two(supervisors):
    lonely = StaffFactory(full_name="Eko Sendiri", presence=Presence.OUT)
    slip = slip_for(lonely, due_at=at(2, 12))
    slip_escalation_sweep(now=at(2, 12))

    slip_escalation_sweep(now=at(2, 17))

    slip = fresh(slip)
    assert (slip.escalation_level, slip.next_escalation_at) == (3, None)
    event = SlipEvent.objects.filter(slip=slip).last()
    assert event.kind == "escalated_to_supervisors"
    assert "No cover or department head" in event.note
    assert sent(slip, NotificationKind.SLIP_ESCALATED) == [
        "joko@example.co.id",
        "sari@example.co.id",
    ]


def test_a_department_slip_is_sent_again_to_its_mailbox_then_to_the_head(people):
    finance = people["finance"]
    finance.email = "keuangan@example.co.id"
    finance.save()
    slip = SlipFactory(for_staff=None, for_department=finance, due_at=at(2, 12))

    slip_escalation_sweep(now=at(2, 12))
    assert sent(slip, NotificationKind.SLIP_REMINDER) == ["keuangan@example.co.id"]

    slip_escalation_sweep(now=at(2, 17))
    assert SlipRecipient.objects.get(slip=slip).staff == people["dewi"]
    assert sent(slip, NotificationKind.SLIP_ESCALATED) == ["dewi@example.co.id"]


# Slips: the calendar -----------------------------------------------------------


def test_a_weekend_is_not_counted_friday_afternoon_waits_for_monday(people):
    slip = slip_for(people["budi"], due_at=at(6, 16, 30))  # Friday

    slip_escalation_sweep(now=at(6, 16, 30))

    # 30 minutes on Friday, 3.5 hours on Monday morning.
    assert fresh(slip).next_escalation_at == at(9, 11, 30)
    for now in (at(7, 10), at(8, 23), at(9, 11, 29)):
        assert slip_escalation_sweep(now=now) == 0
    assert slip_escalation_sweep(now=at(9, 11, 30)) == 1
    assert fresh(slip).escalation_level == 2


def test_a_holiday_is_not_counted(people):
    Holiday.objects.create(date=at(9, 0).date(), name="Hari libur")
    slip = slip_for(people["budi"], due_at=at(6, 16, 30))

    slip_escalation_sweep(now=at(6, 16, 30))

    assert fresh(slip).next_escalation_at == at(10, 11, 30)  # Tuesday


def test_low_urgency_waits_until_the_end_of_the_next_working_day(people):
    slip = slip_for(people["budi"], due_at=at(6, 9), urgency=Urgency.LOW)

    slip_escalation_sweep(now=at(6, 9))

    assert fresh(slip).next_escalation_at == at(9, 17)


def test_urgent_counts_on_the_clock_nights_included(people):
    slip = slip_for(people["budi"], due_at=at(6, 23, 55), urgency=Urgency.URGENT)

    slip_escalation_sweep(now=at(6, 23, 55))

    assert fresh(slip).next_escalation_at == at(7, 0, 5)


def test_the_admins_limit_is_used(people):
    UrgencyLimit.objects.filter(urgency=Urgency.HIGH).update(minutes=90)
    slip = slip_for(people["budi"], due_at=at(2, 11), urgency=Urgency.HIGH)

    slip_escalation_sweep(now=at(2, 11))

    assert fresh(slip).next_escalation_at == at(2, 13, 30)  # 60 before lunch, 30 after


# Slips: never twice, never when acknowledged -----------------------------------


@pytest.mark.parametrize("status", [SlipStatus.ACKNOWLEDGED, SlipStatus.DONE])
def test_acknowledged_or_done_slips_are_never_escalated(people, supervisors, status):
    slip = slip_for(people["budi"], due_at=at(2, 12), status=status)

    for day in range(2, 20):
        assert slip_escalation_sweep(now=at(day, 17)) == 0

    assert fresh(slip).escalation_level == 0
    assert events(slip) == [] and sent(slip) == []


def test_a_delivered_slip_is_escalated_like_a_new_one(people):
    slip = slip_for(people["budi"], due_at=at(2, 12), status=SlipStatus.DELIVERED)

    assert slip_escalation_sweep(now=at(2, 12)) == 1
    assert fresh(slip).escalation_level == 1


def test_a_slip_without_a_deadline_is_never_escalated(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    MessageSlip.objects.filter(pk=slip.pk).update(due_at=None)

    assert slip_escalation_sweep(now=at(20, 12)) == 0


def test_a_slip_acknowledged_between_the_query_and_the_claim_is_skipped(people, monkeypatch):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    read = escalation._due_slips

    def read_then_someone_acknowledges(now, limit):
        slips = read(now, limit)
        MessageSlip.objects.filter(pk=slip.pk).update(status=SlipStatus.ACKNOWLEDGED)
        return slips

    monkeypatch.setattr(escalation, "_due_slips", read_then_someone_acknowledges)

    assert slip_escalation_sweep(now=at(2, 12)) == 0

    assert fresh(slip).escalation_level == 0
    assert events(slip) == [] and sent(slip) == []


def test_a_cover_added_at_the_desk_meanwhile_is_not_added_twice(people, monkeypatch):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    slip_escalation_sweep(now=at(2, 12))
    read = escalation._due_slips

    def read_then_the_desk_adds_the_cover(now, limit):
        slips = read(now, limit)
        SlipRecipientFactory(slip=slip, staff=people["citra"], role=RecipientRole.ADDRESSEE)
        return slips

    monkeypatch.setattr(escalation, "_due_slips", read_then_the_desk_adds_the_cover)

    assert slip_escalation_sweep(now=at(2, 17)) == 1

    assert SlipRecipient.objects.filter(slip=slip, staff=people["citra"]).count() == 1
    assert events(slip)[-1] == "escalated_to_cover"


def test_a_sweep_run_twice_at_the_same_moment_takes_each_step_once(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))

    assert slip_escalation_sweep(now=at(2, 12)) == 1
    assert slip_escalation_sweep(now=at(2, 12)) == 0

    assert events(slip) == ["escalated_resent"]
    assert sent(slip) == ["budi@example.co.id"]


def test_a_sweep_that_ran_late_takes_one_step_at_a_time(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))

    assert slip_escalation_sweep(now=at(5, 12)) == 1  # three days late: one step

    slip = fresh(slip)
    assert slip.escalation_level == 1
    assert slip.next_escalation_at == at(5, 17)  # one limit after it was taken


def test_the_emails_reach_the_right_people(
    people, supervisors, mailoutbox, django_capture_on_commit_callbacks
):
    slip = slip_for(people["budi"], due_at=at(2, 12))

    for now, expected in (
        (at(2, 12), [["budi@example.co.id"]]),
        (at(2, 17), [["citra@example.co.id"]]),
        (at(3, 12), [["joko@example.co.id"], ["sari@example.co.id"]]),
    ):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            slip_escalation_sweep(now=now)
        assert sorted(message.to for message in mailoutbox) == expected
    assert Notification.objects.filter(slip=slip, sent_at__isnull=True).count() == 0


def test_the_tasks_run_the_sweeps(people):
    slip = slip_for(people["budi"], due_at=at(2, 12))
    complaint = ComplaintFactory(
        department=people["finance"],
        status=ComplaintStatus.ROUTED,
        created_at=at(2, 8),
        acknowledge_due_at=at(2, 12),
    )

    # Beat's run uses the real clock: long after March 2026.
    assert slip_escalation_task.delay().get() == 1
    assert complaint_escalation_task.delay().get() == 1

    assert fresh(slip).escalation_level == 1
    assert fresh(complaint).escalation_level == 1


def test_beat_runs_both_sweeps(settings):
    from switchboard.celery import app

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["messages_app.tasks.slip_escalation_task"] == 60.0
    assert schedule["messages_app.tasks.complaint_escalation_task"] == 300.0
    app.loader.import_default_modules()
    assert "messages_app.tasks.slip_escalation_task" in app.tasks
    assert "messages_app.tasks.complaint_escalation_task" in app.tasks


# Complaints --------------------------------------------------------------------


def complaint_in(department, **kwargs):
    """Recorded Monday 08:00: acknowledge by 12:00 (4 working hours), resolve by
    Tuesday 17:00 (16 working hours)."""
    defaults = {
        "status": ComplaintStatus.ROUTED,
        "created_at": at(2, 8),
        "acknowledge_due_at": at(2, 12),
        "resolve_due_at": at(3, 17),
    }
    return ComplaintFactory(department=department, **{**defaults, **kwargs})


def complaint_events(complaint):
    return list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", "data"))


def complaint_sent(complaint):
    return sorted(
        Notification.objects.filter(
            complaint=complaint, kind=NotificationKind.COMPLAINT_ESCALATED
        ).values_list("address", flat=True)
    )


def test_a_complaint_within_its_deadlines_is_left_alone(people):
    complaint = complaint_in(people["finance"])

    assert complaint_escalation_sweep(now=at(2, 11, 59)) == 0

    assert fresh(complaint).escalation_level == 0
    assert complaint_events(complaint) == []


def test_not_acknowledged_in_time_it_is_flagged_and_told_to_the_head(
    people, supervisors, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = complaint_in(people["finance"])

    with django_capture_on_commit_callbacks(execute=True):
        assert complaint_escalation_sweep(now=at(2, 12)) == 1

    assert fresh(complaint).escalation_level == escalation.ACK_HEAD
    (overdue, data), (escalated, to_head) = complaint_events(complaint)
    assert (overdue, data["deadline"]) == ("overdue", "acknowledge")
    assert (escalated, to_head["to"]) == ("escalated_to_head", people["dewi"].pk)
    event = ComplaintEvent.objects.get(complaint=complaint, kind="escalated_to_head")
    assert "Dewi Kepala" in event.text and event.at == at(2, 12)
    assert [message.to for message in mailoutbox] == [["dewi@example.co.id"]]


def test_then_the_supervisors_after_half_the_target_again(people, supervisors):
    complaint = complaint_in(people["finance"])
    complaint_escalation_sweep(now=at(2, 12))

    # Half of the 4-hour target after 12:00, lunch not counted: 15:00.
    assert complaint_escalation_sweep(now=at(2, 14, 59)) == 0
    assert complaint_escalation_sweep(now=at(2, 15)) == 1

    assert fresh(complaint).escalation_level == escalation.ACK_SUPERVISORS
    kinds = [kind for kind, _data in complaint_events(complaint)]
    assert kinds == ["overdue", "escalated_to_head", "escalated_to_supervisors"]
    assert complaint_sent(complaint) == [
        "dewi@example.co.id",
        "joko@example.co.id",
        "sari@example.co.id",
    ]
    # Nothing more while it waits for its acknowledgement.
    assert complaint_escalation_sweep(now=at(3, 9)) == 0


def test_each_deadline_is_flagged_overdue_once(people, supervisors):
    complaint = complaint_in(people["finance"])

    for now in (at(2, 12), at(2, 12), at(2, 13), at(2, 15), at(2, 16), at(3, 8)):
        complaint_escalation_sweep(now=now)

    overdue = [data for kind, data in complaint_events(complaint) if kind == "overdue"]
    assert [data["deadline"] for data in overdue] == ["acknowledge"]


def test_acknowledged_late_it_is_escalated_again_when_not_resolved_in_time(people, supervisors):
    complaint = complaint_in(people["finance"])
    complaint_escalation_sweep(now=at(2, 12))
    Complaint.objects.filter(pk=complaint.pk).update(status=ComplaintStatus.ACKNOWLEDGED)

    assert complaint_escalation_sweep(now=at(2, 16)) == 0  # acknowledged: no supervisors
    assert complaint_escalation_sweep(now=at(3, 17)) == 1

    assert fresh(complaint).escalation_level == escalation.RESOLVE_HEAD
    overdue = [data["deadline"] for kind, data in complaint_events(complaint) if kind == "overdue"]
    assert overdue == ["acknowledge", "resolve"]
    # Half of the 16-hour target after Tuesday 17:00: all of Wednesday.
    assert complaint_escalation_sweep(now=at(4, 16, 59)) == 0
    assert complaint_escalation_sweep(now=at(4, 17)) == 1
    assert fresh(complaint).escalation_level == escalation.RESOLVE_SUPERVISORS
    assert complaint_escalation_sweep(now=at(30, 9)) == 0


def test_both_deadlines_missed_at_once_are_both_flagged_and_the_head_told_once(people):
    complaint = complaint_in(people["finance"])

    assert complaint_escalation_sweep(now=at(4, 9)) == 1

    assert fresh(complaint).escalation_level == escalation.RESOLVE_HEAD
    kinds = [(kind, data.get("deadline")) for kind, data in complaint_events(complaint)]
    assert kinds == [
        ("overdue", "acknowledge"),
        ("overdue", "resolve"),
        ("escalated_to_head", "resolve"),
    ]
    assert complaint_sent(complaint) == ["dewi@example.co.id"]


def test_an_unrouted_complaint_goes_to_the_supervisors_at_once(supervisors):
    complaint = complaint_in(None, status=ComplaintStatus.NEW)

    assert complaint_escalation_sweep(now=at(2, 12)) == 1

    assert fresh(complaint).escalation_level == escalation.ACK_SUPERVISORS
    event = ComplaintEvent.objects.get(complaint=complaint, kind="escalated_to_supervisors")
    assert "not routed" in event.text
    assert sorted(event.data["to"]) == ["joko@example.co.id", "sari@example.co.id"]
    assert complaint_sent(complaint) == ["joko@example.co.id", "sari@example.co.id"]


def test_a_department_without_a_head_sends_it_to_the_supervisors_at_once(supervisors):
    complaint = complaint_in(DepartmentFactory(name="Gudang"))

    complaint_escalation_sweep(now=at(2, 12))

    assert fresh(complaint).escalation_level == escalation.ACK_SUPERVISORS
    event = ComplaintEvent.objects.get(complaint=complaint, kind="escalated_to_supervisors")
    assert "Gudang has no head" in event.text


@pytest.mark.parametrize("status", [ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED])
def test_resolved_or_closed_complaints_are_never_escalated(people, status):
    complaint = complaint_in(people["finance"], status=status, resolved_at=at(2, 9))

    assert complaint_escalation_sweep(now=at(20, 9)) == 0
    assert complaint_events(complaint) == []


def test_an_acknowledged_complaint_is_escalated_only_for_its_resolution(people):
    complaint = complaint_in(people["finance"], status=ComplaintStatus.IN_PROGRESS)

    assert complaint_escalation_sweep(now=at(3, 16)) == 0
    assert complaint_escalation_sweep(now=at(3, 17)) == 1
    assert [data["deadline"] for kind, data in complaint_events(complaint)] == [
        "resolve",
        "resolve",
    ]


def test_a_complaint_acknowledged_between_the_decision_and_the_claim_is_skipped(
    people, monkeypatch
):
    complaint = complaint_in(people["finance"])
    decide = escalation._complaint_step

    def decide_then_someone_acknowledges(complaint, **kwargs):
        step = decide(complaint, **kwargs)
        Complaint.objects.filter(pk=complaint.pk).update(status=ComplaintStatus.ACKNOWLEDGED)
        return step

    monkeypatch.setattr(escalation, "_complaint_step", decide_then_someone_acknowledges)

    assert complaint_escalation_sweep(now=at(2, 12)) == 0
    assert fresh(complaint).escalation_level == 0
    assert complaint_events(complaint) == [] and complaint_sent(complaint) == []


def test_a_complaint_sweep_run_twice_takes_each_step_once(people):
    complaint = complaint_in(people["finance"])

    assert complaint_escalation_sweep(now=at(2, 12)) == 1
    assert complaint_escalation_sweep(now=at(2, 12)) == 0

    assert len(complaint_events(complaint)) == 2
    assert complaint_sent(complaint) == ["dewi@example.co.id"]


# Two sweeps at once (PostgreSQL) ----------------------------------------------


def run_together(sweep, now, monkeypatch, reader_name):
    """Run `sweep(now=now)` in two threads, each with its own connection; both
    read the same due rows before either claims one (the reader waits for the
    other thread), so without the claim every step would be taken twice."""
    read = getattr(escalation, reader_name)
    barrier = threading.Barrier(2, timeout=30)

    def read_then_wait(*args, **kwargs):
        rows = read(*args, **kwargs)
        barrier.wait()
        return rows

    monkeypatch.setattr(escalation, reader_name, read_then_wait)
    results, errors = [], []

    def work():
        try:
            results.append(sweep(now=now))
        except Exception as exc:  # reported below, with the thread's error
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_slip_sweeps_at_once_take_each_step_once(people, supervisors, monkeypatch):
    slips = [slip_for(people["budi"], due_at=at(2, 12)) for _ in range(20)]

    results = run_together(slip_escalation_sweep, at(2, 12), monkeypatch, "_due_slips")

    assert sum(results) == 20
    for slip in slips:
        assert fresh(slip).escalation_level == 1
        # Committed for real, the re-sent e-mail goes out and the slip is delivered.
        assert events(slip) == ["escalated_resent", "delivered"]
        assert sent(slip) == ["budi@example.co.id"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_complaint_sweeps_at_once_take_each_step_once(people, supervisors, monkeypatch):
    complaints = [complaint_in(people["finance"]) for _ in range(20)]

    results = run_together(complaint_escalation_sweep, at(2, 12), monkeypatch, "_due_complaint_ids")

    assert sum(results) == 20
    for complaint in complaints:
        assert fresh(complaint).escalation_level == escalation.ACK_HEAD
        assert len(complaint_events(complaint)) == 2
        assert complaint_sent(complaint) == ["dewi@example.co.id"]
