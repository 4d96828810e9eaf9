"""Attendance: each operator's day computed from the roster and the clock, and
the supervisors' corrections of it.

    row = attendance_compute(operator=sari, day=date(2026, 12, 1))
    attendance_compute_day(day=date(2026, 12, 1))       # every operator that day
    attendance_sweep()                                  # the beat job: shifts that ended
    attendance_correct(operator=sari, day=..., by=supervisor, status="present",
                       late_minutes=0, early_minutes=0, reason="Clock was down")
    attendance_withdraw_correction(attendance=row, by=supervisor)

The rules (AttendanceDay's docstring tells them too):

- A shift belongs to the day it starts (Malam 23:00–07:00 on Monday is Monday's).
- A clock session belongs to the rostered shift it overlaps most, among the
  operator's shifts of the day before, the day and the day after; with no shift
  it overlaps, to the local day it starts on (so a clock-in at 23:59 Jakarta
  time is that day's, not the next UTC day's).
- Late: minutes from the shift's start to the first clock-in, once they pass
  the shift's grace. Left early: minutes from the last clock-out to the shift's
  end, once they pass the grace. Still clocked in after the end is not early.
- No clock-in: absent once the shift has ended, scheduled until then.
- Leave, sick and permission days keep their kind whatever the clock says.
- Clocked in on a day with no entry: unscheduled work.
- A corrected day is never recomputed; withdrawing the correction recomputes it.

The KPI helpers read AttendanceDay rows as they are: keep these meanings.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import (
    ABSENCE_KINDS,
    AttendanceDay,
    AttendanceStatus,
    ClockSession,
    RosterEntry,
    RosterKind,
)
from reports.models.roster import NOTE_MAX
from switchboard.dates import local_day_start

# The fields recomputation owns; a row is saved only when one of them changes,
# so running it again changes nothing (and writes no history).
COMPUTED_FIELDS = (
    "roster_entry_id",
    "shift_type_id",
    "scheduled_start",
    "scheduled_end",
    "first_in",
    "last_out",
    "worked_minutes",
    "status",
    "late_minutes",
    "early_minutes",
)


local_date = timezone.localdate  # the local day of an instant


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


@dataclass
class Computed:
    """What the roster and the clock say about one operator's day."""

    entry: RosterEntry | None
    status: str | None  # None: a day off with no work, no row
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    first_in: datetime | None = None
    last_out: datetime | None = None
    worked_minutes: int = 0
    late_minutes: int = 0
    early_minutes: int = 0


def _overlap(a_start, a_end, b_start, b_end) -> timedelta:
    return max(timedelta(0), min(a_end, b_end) - max(a_start, b_start))


def sessions_by_day(sessions, entries, *, now) -> dict[date, list[ClockSession]]:
    """{day: [sessions]}: each session under the day of the shift it overlaps
    most (`entries`: the operator's roster entries around it), else the local
    day it starts on."""
    spans = [(e.date, *e.span()) for e in entries if e.kind == RosterKind.SHIFT]
    out: dict[date, list[ClockSession]] = {}
    for session in sessions:
        end = session.clock_out or max(now, session.clock_in)
        best, best_overlap = None, timedelta(0)
        for day, start, stop in spans:
            overlap = _overlap(session.clock_in, end, start, stop)
            if overlap > best_overlap:
                best, best_overlap = day, overlap
        out.setdefault(best or local_date(session.clock_in), []).append(session)
    return out


def compute(*, entry: RosterEntry | None, sessions, now: datetime) -> Computed:
    """The attendance of one day from its roster entry (or None) and the clock
    sessions that belong to it. Pure: no queries."""
    sessions = sorted(sessions, key=lambda s: s.clock_in)
    worked = sum(_minutes((s.clock_out or max(now, s.clock_in)) - s.clock_in) for s in sessions)
    first_in = sessions[0].clock_in if sessions else None
    still_in = any(s.clock_out is None for s in sessions)
    last_out = None if still_in or not sessions else max(s.clock_out for s in sessions)
    result = Computed(entry=entry, status=None, first_in=first_in, last_out=last_out)
    result.worked_minutes = worked
    if entry is None:
        if sessions:
            result.status = AttendanceStatus.UNSCHEDULED
        return result
    if entry.kind in ABSENCE_KINDS:
        result.status = entry.kind  # the statuses share the kinds' values
        return result
    shift = entry.shift_type
    start, end = entry.span()
    result.scheduled_start, result.scheduled_end = start, end
    if not sessions:
        result.status = AttendanceStatus.ABSENT if now >= end else AttendanceStatus.SCHEDULED
        return result
    result.status = AttendanceStatus.PRESENT
    late = _minutes(first_in - start)
    if late > shift.late_grace_minutes:
        result.late_minutes = late
    if last_out is not None and last_out < end:
        early = _minutes(end - last_out)
        if early > shift.early_grace_minutes:
            result.early_minutes = early
    return result


def _entries_around(operator, days) -> list[RosterEntry]:
    low, high = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    return list(
        RosterEntry.objects.filter(operator=operator, date__range=(low, high)).select_related(
            "shift_type"
        )
    )


def _sessions_around(operator, days) -> list[ClockSession]:
    """The operator's sessions that may belong to `days`: those that touch the
    span from the day before the first to the day after the last."""
    low = local_day_start(min(days) - timedelta(days=1))
    high = local_day_start(max(days) + timedelta(days=2))
    return list(
        ClockSession.objects.filter(operator=operator, clock_in__lt=high).filter(
            Q(clock_out__isnull=True) | Q(clock_out__gt=low)
        )
    )


def _store(operator, day, computed: Computed, *, now) -> AttendanceDay | None:
    """Write the computed day unless a supervisor corrected it; delete the row
    of a day that no longer has anything to say (a day off)."""
    row = AttendanceDay.objects.select_for_update().filter(operator=operator, date=day).first()
    if row is not None and row.corrected:
        return row
    if computed.status is None:
        if row is not None:
            row.delete()
        return None
    values = {
        "roster_entry_id": computed.entry.pk if computed.entry else None,
        "shift_type_id": computed.entry.shift_type_id if computed.entry else None,
        "scheduled_start": computed.scheduled_start,
        "scheduled_end": computed.scheduled_end,
        "first_in": computed.first_in,
        "last_out": computed.last_out,
        "worked_minutes": computed.worked_minutes,
        "status": computed.status,
        "late_minutes": computed.late_minutes,
        "early_minutes": computed.early_minutes,
    }
    if row is None:
        row = AttendanceDay(operator=operator, date=day, computed_at=now, **values)
        row.save()
        return row
    if all(getattr(row, name) == value for name, value in values.items()):
        return row
    for name, value in values.items():
        setattr(row, name, value)
    row.computed_at = now
    row.save()
    return row


def attendance_compute_days(*, operator, days, now: datetime | None = None) -> dict:
    """Compute (and store) `operator`'s attendance on each of `days`: three
    queries for the lot, then one write per day that changed. Returns
    {day: AttendanceDay or None}."""
    now = now or timezone.now()
    days = sorted(set(days))
    if not days:
        return {}
    entries = _entries_around(operator, days)
    by_day_entry = {e.date: e for e in entries}
    sessions = sessions_by_day(_sessions_around(operator, days), entries, now=now)
    out = {}
    with transaction.atomic():
        for day in days:
            computed = compute(entry=by_day_entry.get(day), sessions=sessions.get(day, []), now=now)
            out[day] = _store(operator, day, computed, now=now)
    return out


def attendance_compute(*, operator, day: date, now: datetime | None = None):
    """One operator's attendance on one day, computed from the roster and the
    clock and stored (a corrected day is returned as the supervisor left it).
    Returns the AttendanceDay, or None for a day off with no work."""
    return attendance_compute_days(operator=operator, days=[day], now=now)[day]


def _operators_with_something_on(low: date, high: date):
    """Users with an entry, a clock session or an attendance row between the days."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    session_low = local_day_start(low - timedelta(days=1))
    session_high = local_day_start(high + timedelta(days=2))
    return users.filter(
        Q(pk__in=RosterEntry.objects.filter(date__range=(low, high)).values("operator_id"))
        | Q(
            pk__in=ClockSession.objects.filter(
                clock_in__gte=session_low, clock_in__lt=session_high
            ).values("operator_id")
        )
        | Q(pk__in=AttendanceDay.objects.filter(date__range=(low, high)).values("operator_id"))
    )


def attendance_compute_range(*, start: date, end: date, now: datetime | None = None) -> int:
    """Compute every operator's attendance for each day from `start` to `end`
    (inclusive). Returns how many operator-days were looked at."""
    now = now or timezone.now()
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    count = 0
    for operator in _operators_with_something_on(start, end):
        count += len(attendance_compute_days(operator=operator, days=days, now=now))
    return count


def attendance_compute_day(*, day: date, now: datetime | None = None) -> int:
    return attendance_compute_range(start=day, end=day, now=now)


def attendance_sweep(*, now: datetime | None = None) -> int:
    """The beat job: compute yesterday and today (a Malam shift of yesterday
    ends this morning), so absences show once a shift has ended, plus any older
    day still marked scheduled (the job did not run for a while). Safe to run
    again at any time: an unchanged day is not written."""
    now = now or timezone.now()
    today = local_date(now)
    count = attendance_compute_range(start=today - timedelta(days=1), end=today, now=now)
    stale = (
        AttendanceDay.objects.filter(
            status=AttendanceStatus.SCHEDULED,
            corrected=False,
            date__lt=today - timedelta(days=1),
        )
        .values_list("operator_id", "date")
        .order_by("operator_id", "date")
    )
    by_operator: dict[int, list[date]] = {}
    for operator_id, day in stale:
        by_operator.setdefault(operator_id, []).append(day)
    if by_operator:
        from django.contrib.auth import get_user_model

        for operator in get_user_model().objects.filter(pk__in=by_operator):
            count += len(
                attendance_compute_days(operator=operator, days=by_operator[operator.pk], now=now)
            )
    return count


# Corrections -------------------------------------------------------------------


class AttendanceConflict(Exception):
    """The day changed since the supervisor opened it (recomputed, or corrected
    by someone else)."""

    def __init__(self, row):
        self.row = row
        super().__init__(
            _(
                "Someone else changed this day a moment ago (it is now %(status)s); "
                "check it and correct it again if needed."
            )
            % {"status": row.get_status_display().lower() if row else _("a day off")}
        )


def attendance_version(row: AttendanceDay | None) -> str:
    """A token of the row as the supervisor saw it, checked when they save."""
    if row is None:
        return "none"
    corrected = row.corrected_at.isoformat() if row.corrected_at else ""
    return f"{row.pk}:{row.computed_at.isoformat()}:{corrected}"


def attendance_correct(
    *,
    operator,
    day: date,
    by,
    status: str,
    late_minutes: int = 0,
    early_minutes: int = 0,
    reason: str,
    version: str | None = None,
    now: datetime | None = None,
) -> AttendanceDay:
    """A supervisor sets an operator's day by hand, with a reason (required).
    The day is marked corrected, so recomputation leaves it alone; the history
    keeps what it was. `version` (attendance_version of the row they saw)
    refuses the save if the day changed meanwhile (AttendanceConflict)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the day is corrected.")
    elif len(reason) > NOTE_MAX:
        errors["reason"] = _("Keep the reason under %(max)d characters.") % {"max": NOTE_MAX}
    if status not in AttendanceStatus.values or status == AttendanceStatus.SCHEDULED:
        errors["status"] = _("Choose what the day was.")
    for field, value in (("late_minutes", late_minutes), ("early_minutes", early_minutes)):
        if value is None or value < 0 or value > 24 * 60:
            errors[field] = _("Between 0 and 1440 minutes.")
    if status != AttendanceStatus.PRESENT and not errors:
        if late_minutes or early_minutes:
            errors["late_minutes"] = _("Only a day worked on a shift can be late or early.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = AttendanceDay.objects.select_for_update().filter(operator=operator, date=day).first()
        if version is not None and attendance_version(row) != version:
            raise AttendanceConflict(row)
        if row is None:
            entry = (
                RosterEntry.objects.filter(operator=operator, date=day)
                .select_related("shift_type")
                .first()
            )
            row = AttendanceDay(operator=operator, date=day, roster_entry=entry, computed_at=now)
            if entry is not None and entry.shift_type_id:
                row.shift_type_id = entry.shift_type_id
                row.scheduled_start, row.scheduled_end = entry.span()
        row.status = status
        row.late_minutes = late_minutes
        row.early_minutes = early_minutes
        row.corrected = True
        row.correction_reason = reason
        row.corrected_by = by
        row.corrected_at = now
        row._history_user = by
        row._change_reason = reason
        row.full_clean(validate_unique=False)
        row.save()
    return row


def attendance_withdraw_correction(
    *, attendance: AttendanceDay, by, version: str | None = None, now=None
) -> AttendanceDay | None:
    """Undo a supervisor's correction: the day is computed again from the roster
    and the clock. The history keeps the correction and its reason."""
    now = now or timezone.now()
    with transaction.atomic():
        row = AttendanceDay.objects.select_for_update().filter(pk=attendance.pk).first()
        if row is None or (version is not None and attendance_version(row) != version):
            raise AttendanceConflict(row)
        if not row.corrected:
            return row
        row.corrected = False
        row.correction_reason = ""
        row.corrected_by = None
        row.corrected_at = None
        row._history_user = by
        row._change_reason = _("Correction withdrawn")
        row.save()
        operator = row.operator
        day = row.date
    return attendance_compute(operator=operator, day=day, now=now)
