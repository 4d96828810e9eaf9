"""Attendance rules, through attendance_compute and the clock services, each
against a hand-worked example. Times are Jakarta time (the company's)."""

from datetime import date, timedelta

import pytest

from reports.models import AttendanceDay, AttendanceStatus, ClockSession, RosterKind
from reports.services.attendance import (
    attendance_compute,
    attendance_compute_day,
    attendance_correct,
    attendance_sweep,
    attendance_withdraw_correction,
)
from reports.services.roster import ClockRefused, clock_in, clock_out, roster_set
from tests.reports.factories_roster import (
    ClockSessionFactory,
    RosterEntryFactory,
    at,
    desk_shifts,
    make_operator,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)  # a Tuesday


@pytest.fixture
def shifts():
    return desk_shifts()


@pytest.fixture
def sari():
    return make_operator("sari")


def rostered(operator, shifts, key="P", day=DAY, kind=RosterKind.SHIFT):
    return RosterEntryFactory(
        operator=operator,
        date=day,
        kind=kind,
        shift_type=shifts[key] if kind == RosterKind.SHIFT else None,
    )


def worked(operator, start, end=None):
    return ClockSessionFactory(operator=operator, clock_in=start, clock_out=end)


def test_on_time_within_grace_is_present_and_not_late(sari, shifts):
    rostered(sari, shifts)
    worked(sari, at(DAY, 7, 5), at(DAY, 14, 56))  # 5 minutes late, 4 early: inside the grace
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    assert row.status == AttendanceStatus.PRESENT
    assert (row.late_minutes, row.early_minutes) == (0, 0)
    assert row.on_time
    assert row.worked_minutes == 7 * 60 + 51
    assert row.scheduled_start == at(DAY, 7) and row.scheduled_end == at(DAY, 15)


def test_late_counts_the_minutes_from_the_shift_start_once_past_the_grace(sari, shifts):
    rostered(sari, shifts)
    worked(sari, at(DAY, 7, 6), at(DAY, 15, 2))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    assert row.status == AttendanceStatus.PRESENT
    assert row.late_minutes == 6  # from 07:00, not from the end of the grace
    assert row.early_minutes == 0
    assert not row.on_time


def test_left_early_counts_the_minutes_before_the_shift_end(sari, shifts):
    rostered(sari, shifts)
    worked(sari, at(DAY, 6, 55), at(DAY, 14, 20))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    assert (row.late_minutes, row.early_minutes) == (0, 40)
    assert row.last_out == at(DAY, 14, 20)


def test_still_clocked_in_after_the_end_is_not_left_early(sari, shifts):
    rostered(sari, shifts)
    worked(sari, at(DAY, 7))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY, 15, 30))
    assert row.status == AttendanceStatus.PRESENT
    assert row.early_minutes == 0 and row.last_out is None
    assert row.worked_minutes == 8 * 60 + 30


def test_no_clock_in_is_scheduled_until_the_shift_ends_then_absent(sari, shifts):
    rostered(sari, shifts)
    assert attendance_compute(operator=sari, day=DAY, now=at(DAY, 9)).status == "scheduled"
    assert attendance_compute(operator=sari, day=DAY, now=at(DAY, 15)).status == "absent"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (RosterKind.LEAVE, AttendanceStatus.LEAVE),
        (RosterKind.SICK, AttendanceStatus.SICK),
        (RosterKind.PERMISSION, AttendanceStatus.PERMISSION),
    ],
)
def test_leave_sick_and_permission_are_their_own_status_not_absent(sari, shifts, kind, status):
    rostered(sari, shifts, kind=kind)
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY + timedelta(days=1), 9))
    assert row.status == status
    assert row.late_minutes == 0 and row.scheduled_start is None


def test_an_overnight_shift_belongs_to_the_day_it_starts(sari, shifts):
    rostered(sari, shifts, "M")
    worked(sari, at(DAY, 23, 12), at(DAY + timedelta(days=1), 7, 1))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY + timedelta(days=1), 8))
    assert row.status == AttendanceStatus.PRESENT
    assert row.late_minutes == 12
    assert row.scheduled_end == at(DAY + timedelta(days=1), 7)
    assert row.worked_minutes == 7 * 60 + 49
    # The next day has no shift and gets nothing from this session.
    assert attendance_compute(operator=sari, day=DAY + timedelta(days=1), now=at(DAY, 23)) is None


def test_a_night_clock_in_just_after_midnight_still_belongs_to_the_night_shift(sari, shifts):
    rostered(sari, shifts, "M")
    worked(sari, at(DAY + timedelta(days=1), 0, 20), at(DAY + timedelta(days=1), 7))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY + timedelta(days=1), 8))
    assert row.late_minutes == 80


def test_clocking_in_on_a_day_without_a_shift_is_unscheduled_work(sari, shifts):
    worked(sari, at(DAY, 10), at(DAY, 12, 30))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY, 13))
    assert row.status == AttendanceStatus.UNSCHEDULED
    assert row.worked_minutes == 150 and row.roster_entry is None


def test_a_clock_in_at_2359_jakarta_belongs_to_that_day_not_the_next_utc_day(sari, shifts):
    # 23:59 in Jakarta is 16:59 UTC the same day; 00:30 the next day is still
    # the previous UTC day: the local day decides.
    worked(sari, at(DAY, 23, 59), at(DAY + timedelta(days=1), 0, 30))
    row = attendance_compute(operator=sari, day=DAY, now=at(DAY + timedelta(days=1), 1))
    assert row.status == AttendanceStatus.UNSCHEDULED
    assert attendance_compute(operator=sari, day=DAY + timedelta(days=1), now=at(DAY, 1)) is None
    session, day = clock_in(operator=make_operator("dewi"), now=at(DAY, 23, 59))
    assert day.date == DAY


def test_a_day_off_without_work_has_no_row(sari, shifts):
    assert attendance_compute(operator=sari, day=DAY, now=at(DAY, 20)) is None
    assert not AttendanceDay.objects.exists()


def test_recomputing_changes_nothing_when_nothing_changed(sari, shifts):
    rostered(sari, shifts)
    worked(sari, at(DAY, 7), at(DAY, 15))
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    before = AttendanceDay.history.count()
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 17))
    attendance_compute_day(day=DAY, now=at(DAY, 18))
    assert AttendanceDay.history.count() == before


def test_the_sweep_marks_absences_once_shifts_ended_and_is_safe_to_repeat(sari, shifts):
    dewi = make_operator("dewi")
    rostered(sari, shifts, "P")
    rostered(dewi, shifts, "M", day=DAY - timedelta(days=1))
    attendance_sweep(now=at(DAY, 6))
    assert AttendanceDay.objects.get(operator=sari).status == "scheduled"
    assert AttendanceDay.objects.get(operator=dewi).status == "scheduled"
    attendance_sweep(now=at(DAY, 15, 15))
    attendance_sweep(now=at(DAY, 15, 30))
    assert AttendanceDay.objects.get(operator=sari).status == "absent"
    assert AttendanceDay.objects.get(operator=dewi).status == "absent"
    assert AttendanceDay.objects.count() == 2


def test_the_sweep_catches_up_on_old_days_left_scheduled(sari, shifts):
    old = DAY - timedelta(days=5)
    rostered(sari, shifts, day=old)
    attendance_compute(operator=sari, day=old, now=at(old, 8))
    attendance_sweep(now=at(DAY, 9))
    assert AttendanceDay.objects.get(operator=sari, date=old).status == "absent"


def test_clock_in_and_out_recompute_the_day_and_tell_lateness_at_once(sari, shifts):
    rostered(sari, shifts)
    session, day = clock_in(operator=sari, now=at(DAY, 7, 17))
    assert day.status == "present" and day.late_minutes == 17
    with pytest.raises(ClockRefused, match="clocked in already"):
        clock_in(operator=sari, now=at(DAY, 7, 18))
    assert ClockSession.objects.filter(operator=sari).count() == 1
    session, day = clock_out(operator=sari, now=at(DAY, 14))
    assert day.early_minutes == 60 and day.worked_minutes == 403
    with pytest.raises(ClockRefused, match="not clocked in"):
        clock_out(operator=sari, now=at(DAY, 14, 1))


def test_a_roster_change_recomputes_that_day(sari, shifts):
    supervisor = make_operator("lead")
    worked(sari, at(DAY, 15, 30), at(DAY, 23))
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 23, 30))
    assert AttendanceDay.objects.get(operator=sari).status == "unscheduled"
    roster_set(by=supervisor, operator=sari, day=DAY, key="S", now=at(DAY, 23, 30))
    row = AttendanceDay.objects.get(operator=sari)
    assert row.status == "present" and row.late_minutes == 30


def test_a_corrected_day_is_never_recomputed_and_the_history_keeps_the_reason(sari, shifts):
    lead = make_operator("lead")
    rostered(sari, shifts)
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    row = attendance_correct(
        operator=sari,
        day=DAY,
        by=lead,
        status="present",
        reason="The clock terminal was down; she was at the desk.",
        now=at(DAY, 16, 5),
    )
    assert row.corrected and row.status == "present"
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 17))
    attendance_sweep(now=at(DAY, 17))
    row.refresh_from_db()
    assert row.status == "present" and row.corrected
    last = row.history.first()
    assert last.history_user == lead
    assert last.history_change_reason == "The clock terminal was down; she was at the desk."
    assert [h.status for h in row.history.order_by("history_date")] == ["absent", "present"]


def test_a_correction_needs_a_reason_and_a_sensible_status(sari, shifts):
    lead = make_operator("lead")
    rostered(sari, shifts)
    with pytest.raises(Exception) as caught:
        attendance_correct(operator=sari, day=DAY, by=lead, status="present", reason="  ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(Exception) as caught:
        attendance_correct(
            operator=sari, day=DAY, by=lead, status="absent", late_minutes=5, reason="x"
        )
    assert "late_minutes" in caught.value.message_dict
    assert not AttendanceDay.objects.filter(corrected=True).exists()


def test_withdrawing_a_correction_computes_the_day_again(sari, shifts):
    lead = make_operator("lead")
    rostered(sari, shifts)
    attendance_compute(operator=sari, day=DAY, now=at(DAY, 16))
    row = attendance_correct(
        operator=sari, day=DAY, by=lead, status="sick", reason="Doctor's note came late"
    )
    row = attendance_withdraw_correction(attendance=row, by=lead, now=at(DAY, 18))
    assert row.status == "absent" and not row.corrected
    assert row.history.filter(corrected=True, status="sick").exists()


def test_the_beat_runs_the_sweep_every_15_minutes_through_a_thin_task(sari, shifts, settings):
    from reports.tasks.roster import attendance_compute_days_task, attendance_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["reports-attendance-sweep"]
    assert entry["task"] == "reports.tasks.roster.attendance_sweep_task"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    rostered(sari, shifts, day=DAY - timedelta(days=3))
    assert (
        attendance_compute_days_task.delay(
            (DAY - timedelta(days=3)).isoformat(), DAY.isoformat()
        ).get()
        == 4
    )  # operator-days looked at
    assert AttendanceDay.objects.get(operator=sari).status == "absent"
    attendance_sweep_task.delay().get()
    attendance_sweep_task.delay().get()  # again: nothing changes
    assert AttendanceDay.objects.count() == 1


def test_rostering_a_night_shift_moves_a_session_after_midnight_to_it(sari, shifts):
    lead = make_operator("lead")
    next_day = DAY + timedelta(days=1)
    worked(sari, at(next_day, 0, 30), at(next_day, 7))
    attendance_compute(operator=sari, day=next_day, now=at(next_day, 8))
    assert AttendanceDay.objects.get(operator=sari).date == next_day  # unscheduled, that day
    roster_set(by=lead, operator=sari, day=DAY, key="M", now=at(next_day, 8))
    row = AttendanceDay.objects.get(operator=sari)
    assert (row.date, row.status, row.late_minutes) == (DAY, "present", 90)
