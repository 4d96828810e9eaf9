"""Reads for the roster, swaps, clock and attendance pages. Each page gets its
data from one call here, in a constant number of queries whatever the number
of operators or days."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from directory.models import Holiday
from reports.models import (
    ABSENCE_KEYS,
    ABSENCE_KINDS,
    OPEN_SWAP_STATUSES,
    AttendanceDay,
    AttendanceStatus,
    ClockSession,
    RosterEntry,
    RosterKind,
    ShiftSwap,
    ShiftType,
    SwapStatus,
)
from reports.services.attendance import local_date
from reports.services.roster import operator_name, week_start
from switchboard.roles import OPERATOR

KIND_KEYS = {kind: key for key, kind in ABSENCE_KEYS.items()}


def roster_operators():
    """The operators the roster lists: active users in the Operator group."""
    return (
        get_user_model()
        .objects.filter(groups__name=OPERATOR, is_active=True)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def entry_key(entry: RosterEntry | None) -> str:
    if entry is None:
        return ""
    if entry.kind == RosterKind.SHIFT:
        return entry.shift_type.code
    return KIND_KEYS[entry.kind]


def holidays_between(start: date, end: date) -> dict[date, str]:
    return dict(
        Holiday.objects.filter(active=True, date__range=(start, end)).values_list("date", "name")
    )


@dataclass
class Cell:
    operator: object
    day: date
    entry: RosterEntry | None
    error: str = ""
    today: bool = False

    @property
    def key(self) -> str:
        return entry_key(self.entry)

    @property
    def css(self) -> str:
        if self.entry is None:
            return "off"
        if self.entry.kind == RosterKind.SHIFT:
            return f"shift-{self.entry.shift_type.order % 6}"
        return self.entry.kind


@dataclass
class Day:
    date: date
    today: bool
    holiday: str = ""
    counts: list = field(default_factory=list)


def roster_week(*, start: date, today: date | None = None) -> dict:
    """The week from Monday `start` (any day is moved back to its Monday):
    the active operators × 7 days, with holidays, the shift types for the
    legend and the counts per day. Four queries."""
    today = today or timezone.localdate()
    start = week_start(start)
    end = start + timedelta(days=6)
    shift_types = list(ShiftType.objects.filter(active=True))
    operators = list(roster_operators())
    entries = {
        (e.operator_id, e.date): e
        for e in RosterEntry.objects.filter(
            date__range=(start, end), operator__in=[o.pk for o in operators]
        ).select_related("shift_type")
    }
    holidays = holidays_between(start, end)
    days = [
        Day(date=start + timedelta(days=i), today=start + timedelta(days=i) == today)
        for i in range(7)
    ]
    for day in days:
        day.holiday = holidays.get(day.date, "")
    rows = [
        {
            "operator": operator,
            "name": operator_name(operator),
            "cells": [
                Cell(operator, d.date, entries.get((operator.pk, d.date)), today=d.today)
                for d in days
            ],
        }
        for operator in operators
    ]
    per_day = {d.date: Counter() for d in days}
    for entry in entries.values():
        per_day[entry.date][entry_key(entry)] += 1
    legend_keys = [s.code for s in shift_types] + list(ABSENCE_KEYS)
    for day in days:
        day.counts = [per_day[day.date][k] for k in legend_keys]
    count_rows = [
        {"label": s.name, "key": s.code, "counts": [d.counts[i] for d in days]}
        for i, s in enumerate(shift_types)
    ] + [
        {
            "label": RosterKind(kind).label,
            "key": key,
            "counts": [d.counts[len(shift_types) + i] for d in days],
        }
        for i, (key, kind) in enumerate(ABSENCE_KEYS.items())
    ]
    return {
        "start": start,
        "end": end,
        "previous": start - timedelta(days=7),
        "next": start + timedelta(days=7),
        "days": days,
        "rows": rows,
        "shift_types": shift_types,
        "absence_keys": [(key, RosterKind(kind).label) for key, kind in ABSENCE_KEYS.items()],
        "count_rows": count_rows,
        "iso_week": start.isocalendar(),
        "today": today,
    }


def roster_cell(*, operator, day: date) -> Cell:
    entry = (
        RosterEntry.objects.filter(operator=operator, date=day).select_related("shift_type").first()
    )
    return Cell(operator, day, entry, today=day == timezone.localdate())


# Attendance ------------------------------------------------------------------

STATUS_FILTERS = [
    ("late", None),
    ("early", None),
    *((s.value, s.label) for s in AttendanceStatus),
    ("corrected", None),
]


def attendance_for_day(*, day: date, status: str = "") -> list[dict]:
    """Every active operator's attendance on `day` (with their roster entry),
    filtered by status ("late", "early" and "corrected" too). Three queries."""
    operators = list(roster_operators())
    ids = [o.pk for o in operators]
    entries = {
        e.operator_id: e
        for e in RosterEntry.objects.filter(date=day, operator_id__in=ids).select_related(
            "shift_type"
        )
    }
    rows = {
        a.operator_id: a
        for a in AttendanceDay.objects.filter(date=day, operator_id__in=ids).select_related(
            "shift_type", "corrected_by"
        )
    }
    out = []
    for operator in operators:
        row = rows.get(operator.pk)
        item = {
            "operator": operator,
            "name": operator_name(operator),
            "entry": entries.get(operator.pk),
            "row": row,
        }
        if status and not _matches(row, status):
            continue
        out.append(item)
    return out


def _matches(row: AttendanceDay | None, status: str) -> bool:
    if row is None:
        return status == "off"
    if status == "late":
        return row.late_minutes > 0
    if status == "early":
        return row.early_minutes > 0
    if status == "corrected":
        return row.corrected
    return row.status == status


def attendance_get(*, pk: int):
    return (
        AttendanceDay.objects.select_related("operator", "shift_type", "corrected_by")
        .filter(pk=pk)
        .first()
    )


def attendance_history(row: AttendanceDay, limit: int = 10) -> list:
    return list(row.history.select_related("history_user").order_by("-history_date")[:limit])


# Who is on duty now -----------------------------------------------------------


class DutyState:
    IN = "in"  # clocked in
    LATE = "late"  # past the start and its grace, not in yet
    NOT_IN = "not_in"  # the shift has started, within the grace, not in yet
    LEFT = "left"  # clocked in today, clocked out before the shift's end


def on_duty_now(*, now: datetime | None = None) -> list[dict]:
    """Who is rostered now (today's shifts and last night's Malam that has
    not ended), with their clock state: in, late and not in yet, not in (yet),
    or left. Two queries."""
    now = now or timezone.now()
    today = local_date(now)
    entries = [
        e
        for e in RosterEntry.objects.filter(
            date__in=(today - timedelta(days=1), today),
            kind=RosterKind.SHIFT,
            operator__is_active=True,
        ).select_related("shift_type", "operator")
        if e.span()[0] <= now < e.span()[1]
    ]
    ids = [e.operator_id for e in entries]
    sessions = {}
    for session in ClockSession.objects.filter(operator_id__in=ids).filter(
        Q(clock_out__isnull=True) | Q(clock_out__gte=now - timedelta(hours=16))
    ):
        sessions.setdefault(session.operator_id, []).append(session)
    out = []
    for entry in sorted(entries, key=lambda e: (e.span()[0], operator_name(e.operator))):
        start, end = entry.span()
        mine = [s for s in sessions.get(entry.operator_id, []) if (s.clock_out or now) > start]
        open_ = next((s for s in mine if s.clock_out is None), None)
        grace = timedelta(minutes=entry.shift_type.late_grace_minutes)
        if open_ is not None:
            state, since = DutyState.IN, open_.clock_in
        elif mine:
            state, since = DutyState.LEFT, max(s.clock_out for s in mine)
        elif now > start + grace:
            state, since = DutyState.LATE, None
        else:
            state, since = DutyState.NOT_IN, None
        late = int((now - start).total_seconds() // 60) if state == DutyState.LATE else 0
        if open_ is not None and open_.clock_in > start + grace:
            late = int((open_.clock_in - start).total_seconds() // 60)
        out.append(
            {
                "operator": entry.operator,
                "name": operator_name(entry.operator),
                "shift": entry.shift_type,
                "start": start,
                "end": end,
                "state": state,
                "since": since,
                "late_minutes": late,
            }
        )
    return out


# The operator's own page --------------------------------------------------------


def my_schedule(*, operator, today: date, weeks: int = 3) -> list[dict]:
    """The operator's days from this week's Monday for `weeks` weeks: each day
    with its entry (or none: a day off) and the holiday. Two queries."""
    start = week_start(today)
    end = start + timedelta(days=7 * weeks - 1)
    entries = {
        e.date: e
        for e in RosterEntry.objects.filter(
            operator=operator, date__range=(start, end)
        ).select_related("shift_type")
    }
    holidays = holidays_between(start, end)
    return [
        {
            "date": start + timedelta(days=i),
            "entry": entries.get(start + timedelta(days=i)),
            "holiday": holidays.get(start + timedelta(days=i), ""),
            "today": start + timedelta(days=i) == today,
            "past": start + timedelta(days=i) < today,
        }
        for i in range(7 * weeks)
    ]


SUMMARY_KEYS = (
    "present",
    "on_time",
    "late",
    "early",
    "absent",
    "leave",
    "sick",
    "permission",
    "unscheduled",
    "scheduled",
)


def my_attendance_month(*, operator, month: date, until: date | None = None) -> dict:
    """One operator's attendance rows for the month of `month` (its first day),
    up to `until` (today: the days to come are on the schedule), and the
    counts: one query."""
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    last = min(nxt - timedelta(days=1), until) if until else nxt - timedelta(days=1)
    rows = list(
        AttendanceDay.objects.filter(operator=operator, date__gte=first, date__lte=last)
        .select_related("shift_type")
        .order_by("date")
    )
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    minutes_late = 0
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        if row.status == AttendanceStatus.PRESENT:
            counts["on_time"] += row.on_time
            counts["late"] += row.late_minutes > 0
            counts["early"] += row.early_minutes > 0
            minutes_late += row.late_minutes
    return {
        "rows": rows,
        "counts": counts,
        "minutes_late": minutes_late,
        "month": first,
        "previous": (first - timedelta(days=1)).replace(day=1),
        "next": nxt,
    }


# Swaps -----------------------------------------------------------------------


def _swap_queryset():
    return ShiftSwap.objects.select_related(
        "requester",
        "colleague",
        "decided_by",
        "requester_entry__shift_type",
        "colleague_entry__shift_type",
    )


def swap_list(*, status: str = "") -> list[ShiftSwap]:
    """Swaps for the supervisors: waiting for approval first, then the rest,
    newest first (the last 200). One query."""
    swaps = _swap_queryset()
    if status == "open":
        swaps = swaps.filter(status__in=OPEN_SWAP_STATUSES)
    elif status in SwapStatus.values:
        swaps = swaps.filter(status=status)
    swaps = list(swaps[:200])
    swaps.sort(key=lambda s: s.status != SwapStatus.ACCEPTED)
    return swaps


def swaps_for_operator(*, operator, limit: int = 30) -> list[ShiftSwap]:
    return list(_swap_queryset().filter(Q(requester=operator) | Q(colleague=operator))[:limit])


def swap_choices(*, operator, now: datetime, weeks: int = 4):
    """(my future shifts, colleagues, colleagues' future shifts) for the swap
    form. Three queries."""
    today = local_date(now)
    end = today + timedelta(days=7 * weeks)
    entries = [
        e
        for e in RosterEntry.objects.filter(
            date__range=(today, end),
            kind=RosterKind.SHIFT,
            operator__groups__name=OPERATOR,
            operator__is_active=True,
        ).select_related("shift_type", "operator")
        if e.span()[0] > now
    ]
    mine = [e for e in entries if e.operator_id == operator.pk]
    theirs = [e for e in entries if e.operator_id != operator.pk]
    colleagues = [u for u in roster_operators() if u.pk != operator.pk]
    return mine, colleagues, theirs


def open_session_of(user) -> ClockSession | None:
    return ClockSession.objects.filter(operator=user, clock_out__isnull=True).first()


__all__ = [
    "ABSENCE_KINDS",
    "DutyState",
    "attendance_for_day",
    "my_attendance_month",
    "my_schedule",
    "on_duty_now",
    "roster_week",
    "swap_list",
]
