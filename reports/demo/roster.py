"""The demo desk's roster: the three shift types, four operators on a
rotation over the last 8 weeks and the next 2, their clock sessions on past
days (mostly on time, a few late, one left early, one absence), one leave, one
sick day, the attendance computed, and swaps: one waiting for the
supervisor's approval, one waiting for the demo operator's answer.

Deterministic (choices come from a generator seeded with each operator's
name and day) and idempotent: shift types are found by key, operators by
user name, an entry or clock session that exists is left alone, and a swap is
asked only when its two operators have none open. Everything goes through
reports.services with its own time, as the desk would have done it.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from reports.models import (
    OPEN_SWAP_STATUSES,
    ClockSession,
    RosterEntry,
    RosterKind,
    ShiftSwap,
    ShiftType,
)
from reports.services.attendance import attendance_compute_range, local_date
from reports.services.roster import (
    clock_in,
    clock_out,
    roster_set,
    swap_request,
    swap_respond,
    week_start,
)
from switchboard.roles import OPERATOR, SUPERVISOR

SEED = 9
SHIFTS = [
    # (key, name, start, end, order)
    ("P", "Pagi", time(7), time(15), 0),
    ("S", "Siang", time(15), time(23), 1),
    ("M", "Malam", time(23), time(7), 2),
]
# Desk colleagues of the demo "operator" (no password: nobody signs in with
# them; they are on the roster, clock in and swap).
COLLEAGUES = [
    ("dewi", "Dewi", "Anggraini"),
    ("rudi", "Rudi", "Hartono"),
    ("maya", "Maya", "Sari"),
]
# An 8-day rotation: two mornings, two afternoons, two nights, two days off.
# Its phase is today's: the demo "operator" (the log-in) starts their two
# mornings today, so the console has calls of theirs whatever the weekday;
# the others are two days apart (today: Dewi afternoon, Rudi night, Maya off
# after the night that ends this morning).
ROTATION = ["P", "P", "S", "S", "M", "M", "", ""]
WEEKS_BACK, WEEKS_AHEAD = 8, 2


def shift_types() -> dict[str, ShiftType]:
    out = {}
    for key, name, start, end, order in SHIFTS:
        shift = ShiftType.objects.filter(code=key).first()
        if shift is None:
            shift = ShiftType(
                code=key,
                name=name,
                starts_at=start,
                ends_at=end,
                order=order,
                late_grace_minutes=5,
                early_grace_minutes=5,
            )
            shift.full_clean()
            shift.save()
        out[key] = shift
    return out


def operators() -> list:
    User = get_user_model()
    group = Group.objects.get(name=OPERATOR)
    people = []
    # The demo log-in "operator" (seed_demo's) keeps its user name as it is.
    main = User.objects.filter(username="operator").first()
    if main is not None:
        people.append(main)
    for username, first, last in COLLEAGUES:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last)
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        people.append(user)
    return people


def _plan(index: int, day: date, origin: date) -> str:
    return ROTATION[((day - origin).days + 2 * index) % len(ROTATION)]


class DemoRoster:
    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.today = local_date(self.now)
        self.start = week_start(self.today) - timedelta(weeks=WEEKS_BACK)
        self.phase = self.today  # where the rotation starts (see ROTATION)
        self.end = week_start(self.today) + timedelta(weeks=WEEKS_AHEAD + 1) - timedelta(days=1)
        self.counts = {"entries": 0, "sessions": 0, "swaps": 0}

    def supervisor(self):
        User = get_user_model()
        return (
            User.objects.filter(username="supervisor").first()
            or User.objects.filter(groups__name=SUPERVISOR).first()
        )

    @transaction.atomic
    def load(self) -> dict:
        self.shifts = shift_types()
        self.people = operators()
        self.by = self.supervisor()
        self._roster()
        self._clock()
        attendance_compute_range(start=self.start, end=self.today, now=self.now)
        self._swaps()
        return self.counts

    # The roster -----------------------------------------------------------------

    def _special(self, index: int, day: date) -> str | None:
        """One leave (two days, 3 weeks ago) and one sick day (10 days ago)."""
        leave_days = {self.today - timedelta(days=22), self.today - timedelta(days=21)}
        if index == 1 and day in leave_days:
            return "C"
        if index == 2 and day == self.today - timedelta(days=10):
            return "K"
        return None

    def _roster(self):
        # A day is rostered whole or left alone: a day that has any entry of
        # the desk's keeps it as it is (a day off is no entry), so a run on a
        # desk rostered with another phase (an older seed) adds nothing to it.
        existing = set(
            RosterEntry.objects.filter(
                operator__in=self.people, date__range=(self.start, self.end)
            ).values_list("date", flat=True)
        )
        day = self.start
        while day <= self.end:
            for index, person in enumerate(self.people):
                if day in existing:
                    continue
                key = self._special(index, day) or _plan(index, day, self.phase)
                if not key:
                    continue
                roster_set(by=self.by, operator=person, day=day, key=key, now=self.now)
                self.counts["entries"] += 1
            day += timedelta(days=1)

    # The clock ------------------------------------------------------------------

    def _clock(self):
        entries = RosterEntry.objects.filter(
            operator__in=self.people,
            date__range=(self.start, self.today),
            kind=RosterKind.SHIFT,
        ).select_related("shift_type", "operator")
        low = datetime.combine(self.start - timedelta(days=1), time(0), tzinfo=self.now.tzinfo)
        sessions = list(
            ClockSession.objects.filter(operator__in=self.people, clock_in__gte=low).values_list(
                "operator_id", "clock_in", "clock_out"
            )
        )
        entries = sorted(entries, key=lambda e: (e.date, e.shift_type.starts_at))
        absent = self._pick(entries, self.people[-1], days_ago=5)
        early = self._pick(entries, self.people[1], days_ago=4)
        main = self.people[0].pk
        for entry in entries:
            start, end = entry.span()
            if start > self.now:
                continue
            if any(
                op == entry.operator_id and (out or self.now) > start and inn < end
                for op, inn, out in sessions
            ):
                continue
            key = (entry.operator_id, entry.date)
            if key == absent:
                continue
            # The demo operator's shift of today is theirs to clock in.
            if entry.operator_id == main and end > self.now:
                continue
            seed = f"{SEED}:{entry.operator.username}:{entry.date.isoformat()}"
            rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
            late = rng.random() < 0.08
            came = start + timedelta(minutes=rng.randint(8, 25) if late else -rng.randint(0, 12))
            went = end + timedelta(minutes=rng.randint(0, 15))
            if key == early:
                went = end - timedelta(minutes=40)
            if came > self.now:
                continue
            clock_in(operator=entry.operator, now=came)
            self.counts["sessions"] += 1
            if went <= self.now:
                clock_out(operator=entry.operator, now=went)
            sessions.append((entry.operator_id, came, went if went <= self.now else None))

    def _pick(self, entries, person, *, days_ago: int):
        """(operator id, day) of `person`'s last shift at least `days_ago` days ago."""
        limit = self.today - timedelta(days=days_ago)
        days = [e.date for e in entries if e.operator_id == person.pk and e.date <= limit]
        return (person.pk, max(days)) if days else None

    # Swaps ------------------------------------------------------------------------

    def _future_shifts(self, person) -> dict[date, RosterEntry]:
        return {
            e.date: e
            for e in RosterEntry.objects.filter(
                operator=person,
                kind=RosterKind.SHIFT,
                date__range=(self.today + timedelta(days=2), self.end),
            ).select_related("shift_type")
        }

    def _has_open_swap(self, a, b) -> bool:
        return ShiftSwap.objects.filter(
            status__in=OPEN_SWAP_STATUSES, requester__in=(a, b), colleague__in=(a, b)
        ).exists()

    def _ask(self, requester, colleague, *, accept: bool, reason: str):
        if self._has_open_swap(requester, colleague):
            return
        mine, theirs = self._future_shifts(requester), self._future_shifts(colleague)
        for day in sorted(mine):
            other = theirs.get(day)
            if other is not None and other.shift_type_id != mine[day].shift_type_id:
                swap = swap_request(
                    requester=requester,
                    requester_entry=mine[day],
                    colleague=colleague,
                    colleague_entry=other,
                    reason=reason,
                    now=self.now,
                )
                if accept:
                    swap_respond(swap=swap, by=colleague, accept=True, now=self.now)
                self.counts["swaps"] += 1
                return

    def _swaps(self):
        if len(self.people) < 4:
            return
        main, dewi, rudi, _maya = self.people
        self._ask(dewi, rudi, accept=True, reason="Ada acara keluarga sore itu.")
        self._ask(rudi, main, accept=False, reason="Mau antar anak ke dokter pagi itu.")
