"""Eight weeks of the demo desk's history (seed_demo_history), so that the
KPIs, the reviews and the daily recaps have real weeks to show.

For each day of the WEEKS weeks before the days seed_demo_calls covers (those
are left alone), calls are generated with a believable shape: weekdays busier
than weekends, Monday the busiest, holidays quiet (directory.Holiday); peaks
09-11 and 14-15, a dip over lunch, few calls at night. Each call is logged by
the operator clocked in at that moment (reports.ClockSession of the demo
roster); a moment nobody is clocked in gets no call. Outcomes, categories and
the people asked for come from seed_demo_calls' plan (calls.management.
commands.seed_demo_calls.DemoDay); callers are a mix of the demo's regular
callers and one-off numbers, some back within a week about the same thing; a
share of the missed calls (no answer, call back later) is rung back by a later
outgoing call. Message calls get their slip and complaint calls their
complaint, in a final state that fits their age (the old ones done and closed;
in the last week a few still open, overdue and escalated), with their
recipients, timelines, history rows and notifications (stamped sent, with
their delivery attempt: no e-mail goes out). Complaint references continue
the year's counter (messages_app.ReferenceCounter), gap-free; `make seed`
runs this before seed_demo_calls and seed_demo_messages, so the numbers follow
the dates. One phone-line incident, closed, on a weekday three weeks ago.
seed_demo_calls' days are the same desk carried on to today (DeskDays), their
calls written through call_log and their slips and complaints left to
seed_demo_messages.

The roster seed covers the weeks from this week's Monday back; the days of
the history before it get the same rotation first (HistoryRoster), through
the roster services, so every day has its operators on duty.

Everything is written with bulk inserts in one transaction. Deterministic: the
choices come from generators seeded with SEED and each day. Idempotent: a day
that already holds a call is left alone, so a second run writes nothing.
"""

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone, translation

from calls.management.commands import seed_demo_calls as calls_seed
from calls.models import (
    Call,
    Caller,
    CallerKind,
    Direction,
    IncidentKind,
    Outcome,
    PhoneLineIncident,
)
from calls.services import call_log, call_log_check
from directory.business_time import BusinessCalendar
from directory.management.commands import seed_demo as demo
from directory.models import Department, Holiday
from messages_app.demo import stories
from messages_app.demo.rules import ensure_catalogue, ensure_urgency_limits
from messages_app.demo.teams import Teams
from messages_app.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintStatus,
    DeliveryAttempt,
    MessageSlip,
    Notification,
    NotificationKind,
    Product,
    RecipientRole,
    ReferenceCounter,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    UrgencyLimit,
    Visibility,
)
from messages_app.notifications import staff_language
from messages_app.routing import RuleSet
from messages_app.services.complaints import complaint_search_text, format_reference
from messages_app.services.escalation import (
    ACK_HEAD,
    ACK_SUPERVISORS,
    RESOLVE_HEAD,
    RESOLVE_SUPERVISORS,
    SLIP_SUPERVISORS,
    supervisors_due_at,
)
from messages_app.services.slips import slip_due_at
from reports.demo.roster import SEED as ROSTER_SEED
from reports.demo.roster import DemoRoster, _plan
from reports.models import ClockSession, RosterEntry, RosterKind
from reports.services.roster import roster_set
from switchboard.roles import SUPERVISOR

SEED = 20260929
WEEKS = 8
BATCH = 500
# Calls the desk hears on a day, by weekday (Monday first), and on a holiday.
DAY_VOLUME = [235, 205, 198, 192, 176, 58, 34]
HOLIDAY_VOLUME = 24
# The shape of a day, hour by hour (local time): the morning peak, a lunch
# dip, the afternoon peak, a quiet evening and night.
# fmt: off
HOUR_WEIGHTS = [
    0.35, 0.25, 0.2, 0.15, 0.2, 0.45, 1.2, 3.5, 8.5, 14.0, 14.5, 11.5,
    5.5, 6.5, 12.5, 12.0, 8.0, 4.5, 2.6, 1.9, 1.5, 1.1, 0.8, 0.55,
]
# fmt: on
REGULAR_SHARE = 0.35  # incoming calls from the demo's regular callers
RETURN_SHARE = 0.1  # back within a week about the same thing
CALL_BACK_SHARE = 0.45  # missed calls the desk rings back
MISSED = (Outcome.NO_ANSWER, Outcome.CALL_BACK)
# Each operator's pace: (how long their calls take against the desk's usual,
# the share of calls they pick up while on duty; the rest ring out unlogged).
# It is what makes their productivity differ: one quick and always there, one
# who talks long and misses more.
PACE = {"operator": (1.0, 0.96), "dewi": (0.9, 0.99), "rudi": (1.3, 0.84), "maya": (1.1, 0.91)}
USUAL_PACE = (1.0, 0.95)
SEND_DELAY = timedelta(seconds=4)  # a notification leaves a moment after its event
RECENT_DAYS = 7  # the history's last week: where the open slips and complaints are
INCIDENT_LINE = "Trunk 1 (Telkom)"


def history_days(today: date) -> list[date]:
    """The WEEKS weeks of days before the first day seed_demo_calls covers, and
    the days between its days that it leaves out (it takes working days only,
    so a weekend among them would have no calls at all)."""
    covered = calls_seed.demo_days(today)
    first = min(covered)
    before = [first - timedelta(days=n) for n in range(WEEKS * 7, 0, -1)]
    between = [
        first + timedelta(days=n)
        for n in range((today - first).days)
        if first + timedelta(days=n) not in covered
    ]
    return before + between


def _aware(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=timezone.get_default_timezone())


class HistoryRoster(DemoRoster):
    """The demo roster's rotation carried back to `start`, before the weeks
    seed_demo_roster fills (same operators, same rotation, same clock habits)."""

    def __init__(self, *, now, start: date):
        super().__init__(now=now)
        self.origin = self.start  # where seed_demo_roster's weeks begin
        self.start = min(start, self.start)

    def _roster(self):
        existing = set(  # a day with an entry is left alone (DemoRoster._roster)
            RosterEntry.objects.filter(
                operator__in=self.people, date__range=(self.start, self.origin)
            ).values_list("date", flat=True)
        )
        day = self.start
        while day < self.origin:
            for index, person in enumerate(self.people):
                key = _plan(index, day, self.phase)
                if key and day not in existing:
                    roster_set(by=self.by, operator=person, day=day, key=key, now=self.now)
                    self.counts["entries"] += 1
            day += timedelta(days=1)

    def _clock(self):
        """The clock sessions of the carried-back days, with seed_demo_roster's
        habits (mostly on time, sometimes late). Written as rows, not through
        clock_in: an operator on shift now is clocked in, and clock_in refuses
        a second open session; these are closed ones, in the past. The
        attendance of these days is computed after (DemoRoster.load)."""
        entries = (
            RosterEntry.objects.filter(
                operator__in=self.people,
                date__gte=self.start,
                date__lt=self.origin,
                kind=RosterKind.SHIFT,
            )
            .select_related("shift_type", "operator")
            .order_by("date", "shift_type__starts_at", "operator_id")
        )
        low = _aware(self.start - timedelta(days=1), time(0))
        high = _aware(self.origin + timedelta(days=1), time(0))
        taken = list(
            ClockSession.objects.filter(
                operator__in=self.people, clock_in__gte=low, clock_in__lt=high
            ).values_list("operator_id", "clock_in", "clock_out")
        )
        for entry in entries:
            start, end = entry.span()
            if any(
                op == entry.operator_id and (out or self.now) > start and inn < end
                for op, inn, out in taken
            ):
                continue
            rng = random.Random(f"{ROSTER_SEED}:{entry.operator.username}:{entry.date.isoformat()}")  # noqa: S311
            late = rng.random() < 0.08
            came = start + timedelta(minutes=rng.randint(8, 25) if late else -rng.randint(0, 12))
            went = end + timedelta(minutes=rng.randint(0, 15))
            ClockSession.objects.create(operator=entry.operator, clock_in=came, clock_out=went)
            taken.append((entry.operator_id, came, went))
            self.counts["sessions"] += 1

    def _swaps(self):
        """The swaps are seed_demo_roster's."""


class Planner(calls_seed.DemoDay):
    """seed_demo_calls' choice of what a call is about, prepared once for all
    the days, with a wider world of callers (most ring once)."""

    def __init__(self, *, now):
        super().__init__(day=timezone.localdate(now), now=now, operators=[])
        self._prepare()

    def _caller(self) -> dict:
        rng = self.rng
        if rng.random() < REGULAR_SHARE:
            return super()._caller()
        while True:
            number = demo.make_mobile(rng)
            if phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
                break
        kind = rng.choices(
            [CallerKind.CUSTOMER, CallerKind.PROSPECT, CallerKind.VENDOR, CallerKind.UNKNOWN],
            [5, 2, 2, 1],
        )[0]
        company = ""
        if kind != CallerKind.UNKNOWN and rng.random() < 0.7:
            words = calls_seed.COMPANY_WORDS
            company = f"PT {rng.choice(words)} {rng.choice(words)}"
        name = demo.make_person(rng).full_name if rng.random() < 0.85 else ""
        return {
            "number": number,
            "caller_name": name,
            "caller_company": company,
            "caller_kind": kind,
        }


@dataclass
class Planned:
    at: datetime
    plan: dict
    seconds: int
    origin: "Planned | None" = None  # the missed call a call-back returns
    call: Call | None = None


@dataclass
class Counts:
    days: int = 0
    calls: int = 0
    callers: int = 0
    slips: int = 0
    complaints: int = 0
    incidents: int = 0
    roster_entries: int = 0
    clock_sessions: int = 0
    per_operator: dict = field(default_factory=dict)


class DemoHistory:
    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.counts = Counts()

    # Entry point ---------------------------------------------------------------

    def load(self) -> Counts:
        if not Department.objects.filter(email__endswith=f"@{demo.DOMAIN}").exists():
            raise CommandError("The demo company is not loaded: run `manage.py seed_demo` first.")
        days = history_days(self.today)
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            # The call categories and the complaints' rules: make seed runs
            # this before seed_demo_calls and seed_demo_messages, which make
            # them too (each only what is missing).
            calls_seed.ensure_categories()
            ensure_catalogue()
            ensure_urgency_limits()
            roster = HistoryRoster(now=self.now, start=days[0] - timedelta(days=1)).load()
            self.counts.roster_entries = roster["entries"]
            self.counts.clock_sessions = roster["sessions"]
            todo = self._days_without_calls(days)
            if todo:
                self._load(todo)
            self._incident(days)
        return self.counts

    def _sessions(self, days: list[date]) -> list[ClockSession]:
        """The clock sessions over `days`, by clock-in; one still open counts
        until now."""
        return list(
            ClockSession.objects.filter(
                Q(clock_out__gt=_aware(days[0], time(0))) | Q(clock_out__isnull=True),
                clock_in__lt=_aware(days[-1] + timedelta(days=1), time(0)),
            )
            .select_related("operator")
            .order_by("clock_in")
        )

    def _days_without_calls(self, days: list[date]) -> list[date]:
        zone = timezone.get_default_timezone()
        taken = set(
            Call.objects.filter(
                started_at__gte=_aware(days[0], time(0)),
                started_at__lt=_aware(days[-1] + timedelta(days=1), time(0)),
            )
            .annotate(day=TruncDate("started_at", tzinfo=zone))
            .values_list("day", flat=True)
            .distinct()
        )
        return [day for day in days if day not in taken]

    def _load(self, days: list[date]) -> None:
        self.planner = Planner(now=self.now)
        self.calendar = BusinessCalendar.load()
        self.holidays = set(
            Holiday.objects.filter(active=True, date__range=(days[0], days[-1])).values_list(
                "date", flat=True
            )
        )
        self.sessions = self._sessions(days)
        self.recent: list[Planned] = []  # calls of the last week a caller may return about
        planned: list[Planned] = []
        for day in days:
            day_calls = self._day(day)
            if day_calls:
                self.counts.days += 1
            planned.extend(day_calls)
        calls = self._write_calls(planned)
        self.counts.calls = len(calls)
        self.messages = MessageWriter(now=self.now, today=self.today, calendar=self.calendar)
        self.messages.write(calls)
        self.counts.slips = self.messages.slip_count
        self.counts.complaints = self.messages.complaint_count

    # Calls -----------------------------------------------------------------------

    def _volume(self, day: date, rng: random.Random) -> int:
        base = HOLIDAY_VOLUME if day in self.holidays else DAY_VOLUME[day.weekday()]
        return round(base * rng.uniform(0.9, 1.1))

    def _on_duty(self, moment: datetime, seconds: int):
        """The session clocked in at `moment` (the one who came in last, at a
        handover) that is still on at the end of the call; None when nobody is."""
        found = None
        for session in self.sessions:
            if session.clock_in > moment:
                break
            if (session.clock_out or self.now) >= moment + timedelta(seconds=seconds + 60):
                found = session
        return found

    def _seconds(self, kind: str, rng: random.Random) -> int:
        mean = calls_seed.MEAN_SECONDS[kind]
        return min(max(5, round(rng.expovariate(1 / mean))), 1800)

    def _day(self, day: date) -> list[Planned]:
        rng = random.Random(f"{SEED}-{day.isoformat()}")  # noqa: S311 - demo data
        self.planner.rng = rng
        entries: list[Planned] = []
        midnight = _aware(day, time(0))
        hours = rng.choices(range(24), HOUR_WEIGHTS, k=self._volume(day, rng))
        for hour in sorted(hours):
            at = midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
            plan = self.planner._plan()
            kind = plan.pop("kind")
            self._maybe_return(plan, at, rng)
            entry = Planned(at=at, plan=plan, seconds=self._seconds(kind, rng))
            entries.append(entry)
            if (
                plan["direction"] == Direction.INCOMING
                and plan.get("outcome") in MISSED
                and plan.get("number")
                and rng.random() < CALL_BACK_SHARE
            ):
                entries.append(self._call_back(entry, rng))
        entries.sort(key=lambda e: e.at)
        kept, busy = [], {}
        for entry in entries:
            if entry.origin is not None and entry.origin.call is None:
                continue  # the missed call was never taken: nothing to return
            at = entry.at
            session = self._on_duty(at, entry.seconds)
            if session is None:
                continue
            slower, picks_up = PACE.get(session.operator.get_username(), USUAL_PACE)
            if entry.origin is None and rng.random() > picks_up:
                continue  # it rang out: the desk never logged it
            entry.seconds = min(round(entry.seconds * slower), 1800)
            if self._on_duty(at, entry.seconds) is not session:
                continue
            free = busy.get(session.operator_id)
            if free is not None and at < free:
                at = free + timedelta(seconds=rng.randint(5, 40))
                if self._on_duty(at, entry.seconds) is not session:
                    continue
            if at >= midnight + timedelta(days=1):
                continue
            at = at.replace(microsecond=0)
            ended = at + timedelta(seconds=entry.seconds)
            busy[session.operator_id] = ended
            entry.call = self._log(session.operator, at, ended, entry.plan)
            entry.call.demo_number = entry.plan.get("number")
            kept.append(entry)
            self._remember(entry)
        return kept

    def _log(self, operator, started: datetime, ended: datetime, plan: dict) -> Call:
        """The call, checked as call_log would store it; written later, in bulk."""
        return call_log_check(
            operator=operator, now=self.now, started_at=started, ended_at=ended, **plan
        )

    def _remember(self, entry: Planned) -> None:
        plan = entry.plan
        if (
            plan["direction"] == Direction.INCOMING
            and plan.get("number")
            and plan.get("asked_for_staff")
            and plan.get("category")
        ):
            self.recent.append(entry)
            horizon = entry.call.started_at - timedelta(days=7)
            while self.recent and self.recent[0].call.started_at < horizon:
                self.recent.pop(0)

    def _maybe_return(self, plan: dict, at: datetime, rng: random.Random) -> None:
        """Some callers ring again within the week about the same thing."""
        outcome = plan.get("outcome")
        if (
            plan["direction"] != Direction.INCOMING
            or outcome not in (Outcome.TRANSFERRED, Outcome.MESSAGE, Outcome.NO_ANSWER)
            or not self.recent
            or rng.random() >= RETURN_SHARE
        ):
            return
        earlier = rng.choice(self.recent).plan
        person = earlier["asked_for_staff"]
        plan.update(
            number=earlier["number"],
            caller_name=earlier.get("caller_name", ""),
            caller_company=earlier.get("caller_company", ""),
            caller_kind=earlier.get("caller_kind", CallerKind.UNKNOWN),
            asked_for_staff=person,
            asked_for_department=person.department,
            category=earlier["category"],
        )
        if outcome == Outcome.TRANSFERRED:
            plan["transferred_to"] = self.planner.desks[person.pk]
        about = earlier.get("purpose") or earlier["category"].name
        about = about.removeprefix("Mohon telepon balik: ")
        if outcome == Outcome.MESSAGE:
            plan["purpose"] = f"Mohon telepon balik (menelepon lagi): {about.lower()}"[:300]
        else:
            plan["purpose"] = f"Menanyakan lagi: {about}"[:300]

    def _call_back(self, missed: Planned, rng: random.Random) -> Planned:
        """The desk rings a missed caller back, a while later, for the person asked for."""
        plan = missed.plan
        requester = plan.get("asked_for_staff") or self.planner._person()
        back = {
            "direction": Direction.OUTGOING,
            "number": plan["number"],
            "caller_name": plan.get("caller_name", ""),
            "caller_company": plan.get("caller_company", ""),
            "caller_kind": plan.get("caller_kind", CallerKind.UNKNOWN),
            "requested_by": requester,
            "asked_for_department": requester.department,
            "category": plan.get("category"),
            "outcome": Outcome.CONNECTED if rng.random() < 0.8 else Outcome.NO_ANSWER,
            "purpose": "Menelepon balik penelepon yang tadi tidak tersambung",
        }
        at = missed.at + timedelta(minutes=rng.uniform(8, 150))
        return Planned(at=at, plan=back, seconds=self._seconds("outgoing", rng), origin=missed)

    def _write_calls(self, planned: list[Planned]) -> list[Call]:
        calls = [entry.call for entry in planned]
        callers = self._callers(calls)
        for call in calls:
            number = call.demo_number
            call.caller = callers[number] if number else None
            call._history_user = call.operator
            call._history_date = call.ended_at
        created = []
        for start in range(0, len(calls), BATCH):
            batch = Call.objects.bulk_create(calls[start : start + BATCH])
            Call.history.bulk_history_create(batch)
            created.extend(batch)
        for call in created:
            name = call.operator.get_username()
            self.counts.per_operator[name] = self.counts.per_operator.get(name, 0) + 1
        return created

    def _callers(self, calls: list[Call]) -> dict:
        """The Caller of every number, created or brought up to date (first and
        last call, how many, the name and company last heard), as call_log does."""
        seen: dict[str, dict] = {}
        for call in sorted(calls, key=lambda c: c.started_at):
            number = call.demo_number
            if not number:
                continue
            info = seen.setdefault(
                number,
                {
                    "first": call.started_at,
                    "count": 0,
                    "name": "",
                    "company": "",
                    "kind": CallerKind.UNKNOWN,
                },
            )
            info["count"] += 1
            info["last"] = call.started_at
            info["name"] = call.caller_name or info["name"]
            info["company"] = call.caller_company or info["company"]
            if call.caller_kind and call.caller_kind != CallerKind.UNKNOWN:
                info["kind"] = call.caller_kind
        known = {c.number.as_e164: c for c in Caller.objects.filter(number__in=list(seen))}
        changed = []
        for number, info in seen.items():
            caller = known.get(number)
            if caller is None:
                continue
            caller.call_count += info["count"]
            if caller.first_call_at is None or info["first"] < caller.first_call_at:
                caller.first_call_at = info["first"]
            if caller.last_call_at is None or info["last"] > caller.last_call_at:
                caller.last_call_at = info["last"]
                caller.name = info["name"] or caller.name
                caller.company = info["company"] or caller.company
            caller.name = caller.name or info["name"]
            caller.company = caller.company or info["company"]
            changed.append(caller)
        Caller.objects.bulk_update(
            changed,
            ["call_count", "first_call_at", "last_call_at", "name", "company"],
            batch_size=BATCH,
        )
        new = [
            Caller(
                number=number,
                name=info["name"],
                company=info["company"],
                kind=info["kind"],
                first_call_at=info["first"],
                last_call_at=info["last"],
                call_count=info["count"],
            )
            for number, info in seen.items()
            if number not in known
        ]
        for start in range(0, len(new), BATCH):
            Caller.objects.bulk_create(new[start : start + BATCH])
        self.counts.callers = len(new)
        return {c.number.as_e164: c for c in Caller.objects.filter(number__in=list(seen))}

    # The incident ----------------------------------------------------------------

    def _incident(self, days: list[date]) -> None:
        """Trunk 1 down for a couple of hours on a weekday three weeks ago."""
        day = self.today - timedelta(weeks=3)
        while day.weekday() >= 5 or day in set(
            Holiday.objects.filter(active=True).values_list("date", flat=True)
        ):
            day -= timedelta(days=1)
        if PhoneLineIncident.objects.filter(
            Q(started_at__gte=_aware(days[0], time(0))) | Q(ended_at__isnull=True)
        ).exists():
            return
        User = get_user_model()
        supervisor = (
            User.objects.filter(username="supervisor").first()
            or User.objects.filter(groups__name=SUPERVISOR).first()
        )
        if supervisor is None:
            return
        started = _aware(day, time(10, 12))
        ended = started + timedelta(hours=2, minutes=26)
        incident = PhoneLineIncident(
            line=INCIDENT_LINE,
            kind=IncidentKind.OUTAGE,
            started_at=started,
            ended_at=ended,
            description=(
                "Semua panggilan masuk lewat Trunk 1 tidak tersambung; penelepon mendengar "
                "nada sibuk. Trunk 2 tetap jalan, antrean panjang."
            ),
            contacted="Telkom Business Care 1500-250",
            ticket_reference=f"IN{day:%y%m%d}0417",
            notes="Kabel feeder di depan gedung terpotong galian. Teknisi datang pukul 11.40.",
            logged_by=supervisor,
            closed_by=supervisor,
        )
        incident.full_clean()
        incident._history_user = supervisor
        incident._history_date = started + timedelta(minutes=6)
        incident.save()
        # Saved as logged; the history also shows it closed when the line came back.
        PhoneLineIncident.objects.filter(pk=incident.pk).update(created_at=incident._history_date)
        incident.refresh_from_db()
        incident._history_date = ended + timedelta(minutes=4)
        PhoneLineIncident.history.filter(id=incident.pk).update(
            history_date=started + timedelta(minutes=6), ended_at=None, closed_by=None
        )
        PhoneLineIncident.history.bulk_history_create(
            [incident], update=True, default_user=supervisor, default_date=incident._history_date
        )
        self.counts.incidents = 1


class DeskDays(DemoHistory):
    """seed_demo_calls' days (today and the previous working days) once the
    demo roster is there: the history's desk (its volume, daily and hourly
    shape, who is clocked in) carried on to today, but each call written
    through call_log at the moment it ends, as the console does; their slips
    and complaints are seed_demo_messages'. Today stops before now. The demo
    operator's shift of today that is still on is theirs to clock in
    (seed_demo_roster leaves it): they are at the desk all the same, so it
    counts as clocked in from its start until now."""

    def __init__(self, *, now: datetime, days: list[date]):
        super().__init__(now=now)
        self.planner = Planner(now=self.now)
        self.calendar = BusinessCalendar.load()
        self.holidays = set(
            Holiday.objects.filter(active=True, date__range=(days[0], days[-1])).values_list(
                "date", flat=True
            )
        )
        self.sessions = self._sessions(days)
        self.sessions.extend(self._unclocked_shift())
        self.sessions.sort(key=lambda s: s.clock_in)
        self.recent = []

    def _unclocked_shift(self) -> list[ClockSession]:
        User = get_user_model()
        main = User.objects.filter(username="operator").first()
        if main is None:
            return []
        out = []
        entries = RosterEntry.objects.filter(
            operator=main,
            kind=RosterKind.SHIFT,
            date__range=(self.today - timedelta(days=1), self.today),
        ).select_related("shift_type")
        for entry in entries:
            start, end = entry.span()
            if start <= self.now < end and not any(
                s.operator_id == main.pk and (s.clock_out or self.now) > start
                for s in self.sessions
                if s.clock_in < end
            ):
                out.append(ClockSession(operator=main, clock_in=start, clock_out=self.now))
        return out

    def load_day(self, day: date) -> int:
        """The day's calls, unless it has some already; how many."""
        if not self._days_without_calls([day]):
            return 0
        return len(self._day(day))

    def _log(self, operator, started: datetime, ended: datetime, plan: dict) -> Call:
        return call_log(operator=operator, now=ended, started_at=started, ended_at=ended, **plan)


# Slips and complaints -------------------------------------------------------------


def _snapshot(obj, at, by, **changes):
    """A copy of `obj` as it stood at `at` (for its history row)."""
    copy_ = copy.copy(obj)
    for name, value in changes.items():
        setattr(copy_, name, value)
    copy_._history_date = at
    copy_._history_user = by
    return copy_


class MessageWriter:
    """The slips and complaints of the history's message and complaint calls,
    with their whole life, written in bulk."""

    def __init__(self, *, now, today, calendar):
        self.now, self.today, self.calendar = now, today, calendar
        self.limits = {row.urgency: row for row in UrgencyLimit.objects.all()}
        self.slip_count = self.complaint_count = 0
        self.notifications: list[Notification] = []
        self.slip_events: list[SlipEvent] = []
        self.complaint_events: list[ComplaintEvent] = []
        self.history: list = []

    def _age(self, at: datetime) -> int:
        return (self.today - timezone.localdate(at)).days

    def _recent(self, at: datetime) -> bool:
        first = history_days(self.today)[-1] - timedelta(days=RECENT_DAYS - 1)
        return timezone.localdate(at) >= first

    def _notify(self, *, kind, at, slip=None, complaint=None, staff=(), addresses=()):
        told = set()
        for person in staff:
            if person.email and person.email.lower() not in told:
                told.add(person.email.lower())
                self._notification(
                    kind, at, slip, complaint, person.email, staff_language(person), person
                )
        for address, language in addresses:
            if address and address.lower() not in told:
                told.add(address.lower())
                self._notification(kind, at, slip, complaint, address, language, None)

    def _notification(self, kind, at, slip, complaint, address, language, recipient):
        row = Notification(
            kind=kind,
            channel=Channel.EMAIL,
            slip=slip,
            complaint=complaint,
            recipient=recipient,
            address=address,
            language=language or "id",
            created_at=at,
            next_attempt_at=at,
            attempts=1,
            sent_at=at + SEND_DELAY,
        )
        self.notifications.append(row)

    def write(self, calls: list[Call]) -> None:
        slips = [c for c in calls if c.outcome == Outcome.MESSAGE and c.asked_for_staff_id]
        complaints = [c for c in calls if c.outcome == Outcome.COMPLAINT]
        self._slips(slips)
        self._complaints(complaints)
        for start in range(0, len(self.notifications), BATCH):
            batch = Notification.objects.bulk_create(self.notifications[start : start + BATCH])
            DeliveryAttempt.objects.bulk_create(
                [
                    DeliveryAttempt(
                        notification=n, at=n.sent_at, ok=True, detail=f"accepted for {n.address}"
                    )
                    for n in batch
                ]
            )
        SlipEvent.objects.bulk_create(self.slip_events, batch_size=BATCH)
        ComplaintEvent.objects.bulk_create(self.complaint_events, batch_size=BATCH)

    # Slips --------------------------------------------------------------------------

    def _slips(self, calls: list[Call]) -> None:
        rows, plans = [], []
        for call in calls:
            rng = random.Random(f"{SEED}-slip-{call.started_at.isoformat()}")  # noqa: S311
            person = call.asked_for_staff
            urgency = rng.choices(["low", "normal", "high", "urgent"], [15, 55, 22, 8])[0]
            at = call.ended_at
            slip = MessageSlip(
                call=call,
                for_staff=person,
                caller=call.caller,
                caller_name=call.caller_name,
                caller_company=call.caller_company,
                caller_number=call.caller.number if call.caller_id else "",
                callback_number=call.caller.number if call.caller_id else "",
                callback_time=rng.choice(stories.CALLBACK_TIMES),
                message=call.purpose,
                urgency=urgency,
                mood=rng.choices(["calm", "hurried", "upset", "confused"], [55, 20, 15, 10])[0],
                taken_by=call.operator,
                created_at=at,
                status=SlipStatus.NEW,
            )
            slip.due_at = slip_due_at(
                urgency=urgency, start=at, calendar=self.calendar, limits=self.limits
            )
            slip.next_escalation_at = slip.due_at
            cover = person.cover if person.cover_id and person.cover.active else None
            both = cover is not None and rng.random() < 0.15
            rows.append(slip)
            plans.append((slip, person, cover if both else None, rng))
        for start in range(0, len(rows), BATCH):
            MessageSlip.objects.bulk_create(rows[start : start + BATCH])
        recipients = []
        for slip, person, cover, rng in plans:
            recipients.extend(self._slip_life(slip, person, cover, rng))
        SlipRecipient.objects.bulk_create(recipients, batch_size=BATCH)
        MessageSlip.objects.bulk_update(
            rows,
            [
                "status",
                "delivered_at",
                "acknowledged_at",
                "acknowledged_by",
                "acknowledged_note",
                "done_at",
                "done_by",
                "done_note",
                "escalation_level",
                "next_escalation_at",
                "version",
            ],
            batch_size=BATCH,
        )
        for start in range(0, len(self.history), BATCH):
            MessageSlip.history.bulk_history_create(self.history[start : start + BATCH])
        self.history = []
        self.slip_count = len(rows)

    def _slip_life(self, slip: MessageSlip, person, cover, rng) -> list[SlipRecipient]:
        at, operator = slip.created_at, slip.taken_by
        people = [(person, RecipientRole.ADDRESSEE)]
        if cover is not None:
            people.append((cover, RecipientRole.COVER))
        recipients = [SlipRecipient(slip=slip, staff=p, role=r, added_at=at) for p, r in people]
        self.history.append(_snapshot(slip, at, operator))
        told = ", ".join(p.full_name for p, _r in people)
        self._slip_event(slip, "created", at, operator, to_status="new", note=f"Dikirim ke {told}")
        self._notify(kind=NotificationKind.SLIP, at=at, slip=slip, staff=[p for p, _r in people])
        sent = at + SEND_DELAY
        if person.email:
            slip.status, slip.delivered_at, slip.version = SlipStatus.DELIVERED, sent, 2
            self.history.append(_snapshot(slip, sent, None))
            self._slip_event(
                slip, "delivered", sent, None, "new", "delivered", f"E-mail: {person.email}"
            )
        limit = max((slip.due_at - at).total_seconds() / 60, 10)
        if self._recent(at) and person.email and rng.random() < 0.08:
            self._escalated_slip(slip, person, rng)
            return recipients
        acked = at + timedelta(minutes=limit * rng.uniform(0.1, 0.9))
        if rng.random() < 0.12:
            acked = at + timedelta(minutes=limit * rng.uniform(1.2, 2.5))
        user = person.user if person.user_id else None
        note = "" if user else rng.choice(stories.PHONE_ACK_NOTES)
        by = user or operator
        self._slip_event(slip, "acknowledged", acked, by, slip.status, "acknowledged", note)
        slip.status, slip.acknowledged_at = SlipStatus.ACKNOWLEDGED, acked
        slip.version += 1
        slip.acknowledged_by, slip.acknowledged_note = by, note
        slip.next_escalation_at = None
        recipients[0].read_at = acked
        self.history.append(_snapshot(slip, acked, by))
        if self._recent(at) and rng.random() < 0.3:
            return recipients  # acknowledged, the call back still to make
        done = self.calendar.add(acked, rng.uniform(20, 480))
        done_note = rng.choice(stories.DONE_NOTES)
        slip.status, slip.done_at, slip.done_by, slip.done_note = (
            SlipStatus.DONE,
            done,
            by,
            done_note,
        )
        slip.version += 1
        self.history.append(_snapshot(slip, done, by))
        self._slip_event(slip, "done", done, by, "acknowledged", "done", done_note)
        return recipients

    def _escalated_slip(self, slip: MessageSlip, person, rng) -> None:
        """Nobody took it up: sent again, to the department head, to the supervisors."""
        due = slip.due_at
        step = max(due - slip.created_at, timedelta(minutes=10))
        head = person.department.head if person.department.head_id else None
        self._slip_event(slip, "escalated_resent", due, None, note=f"Dikirim lagi ke {person}")
        self._notify(kind=NotificationKind.SLIP_REMINDER, at=due, slip=slip, staff=[person])
        if head is not None and head.pk != person.pk:
            at = due + step
            self._slip_event(slip, "escalated_to_head", at, None, note=str(head))
            self._notify(kind=NotificationKind.SLIP_ESCALATED, at=at, slip=slip, staff=[head])
        at = due + 2 * step
        self._slip_event(slip, "escalated_to_supervisors", at, None)
        slip.escalation_level, slip.next_escalation_at = SLIP_SUPERVISORS, None

    def _slip_event(self, slip, kind, at, by, from_status="", to_status="", note=""):
        self.slip_events.append(
            SlipEvent(
                slip=slip,
                kind=kind,
                at=at,
                by=by,
                from_status=from_status,
                to_status=to_status,
                note=(note or "")[:500],
            )
        )

    # Complaints ---------------------------------------------------------------------

    def _complaints(self, calls: list[Call]) -> None:
        rules = RuleSet.load()
        teams = Teams()
        categories = {c.name: c for c in ComplaintCategory.objects.filter(active=True)}
        products = {p.name: p for p in Product.objects.filter(active=True)}
        numbers: dict[int, int] = {}
        counters = {}
        rows, plans = [], []
        for call in sorted(calls, key=lambda c: (c.started_at, c.pk)):
            rng = random.Random(f"{SEED}-complaint-{call.started_at.isoformat()}")  # noqa: S311
            at = call.ended_at
            story = stories.story_for_call(
                call.purpose,
                rng=rng,
                month=f"{timezone.localtime(at):%y%m}",
                english="english" in call.notes.lower(),
            )
            category, product = categories.get(story.category), products.get(story.product)
            decision = rules.decide(
                category=category, product=product, description=story.description
            )
            name = call.caller_name or (call.caller.name if call.caller_id else "")
            name = name or demo.make_person(rng).full_name
            email = f"{demo.email_local(name)}@example.com" if rng.random() < 0.3 else ""
            year = timezone.localtime(at, timezone.get_default_timezone()).year
            if year not in counters:
                counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
                if counter is None:
                    ReferenceCounter.objects.bulk_create(
                        [ReferenceCounter(year=year)], ignore_conflicts=True
                    )
                    counter = ReferenceCounter.objects.select_for_update().get(year=year)
                counters[year] = counter
                numbers[year] = counter.last
            numbers[year] += 1
            number = numbers[year]
            target = decision.target(story.severity)
            complaint = Complaint(
                call=call,
                caller=call.caller,
                customer_name=name,
                customer_number=call.caller.number.as_e164 if call.caller_id else "",
                customer_email=email,
                category=category,
                product=product,
                description=story.description,
                severity=story.severity,
                department=decision.department,
                rule=decision.rule,
                status=ComplaintStatus.ROUTED if decision.department else ComplaintStatus.NEW,
                language=story.language,
                created_by=call.operator,
                created_at=at,
                acknowledge_due_at=target and self.calendar.add(at, target.acknowledge_minutes),
                resolve_due_at=target and self.calendar.add(at, target.resolve_minutes),
                year=year,
                number=number,
                reference=format_reference(year, number),
            )
            complaint.search_text = complaint_search_text(complaint)
            rows.append(complaint)
            plans.append((complaint, story, rng))
        for start in range(0, len(rows), BATCH):
            Complaint.objects.bulk_create(rows[start : start + BATCH])
        for complaint, story, rng in plans:
            self._complaint_life(complaint, story, rng, teams)
        Complaint.objects.bulk_update(
            rows,
            [
                "status",
                "acknowledged_at",
                "resolved_at",
                "closed_at",
                "assigned_to",
                "escalation_level",
                "version",
            ],
            batch_size=BATCH,
        )
        for start in range(0, len(self.history), BATCH):
            Complaint.history.bulk_history_create(self.history[start : start + BATCH])
        for year, counter in counters.items():
            counter.last = numbers[year]
            counter.save(update_fields=["last"])
        self.complaint_count = len(rows)

    def _fate(self, complaint: Complaint, rng) -> str:
        if self._recent(complaint.created_at):
            return rng.choices(
                ["closed", "resolved", "in_progress", "acknowledged", "overdue"],
                [30, 25, 25, 10, 10],
            )[0]
        return rng.choices(["closed", "resolved"], [88, 12])[0]

    def _complaint_life(self, complaint: Complaint, story, rng, teams: Teams) -> None:
        at, by = complaint.created_at, complaint.created_by
        self.history.append(_snapshot(complaint, at, by))
        self._c_event(complaint, "created", at, by, to_status="new")
        department = complaint.department
        if department is None:
            self._escalate_open(complaint)
            return
        self._c_event(
            complaint,
            "routed",
            at,
            by,
            "new",
            "routed",
            data={
                "department": department.pk,
                "rule": complaint.rule_id,
                "rule_department": department.pk,
                "override": False,
            },
        )
        head = department.head if department.head_id else None
        addresses = []
        if department.email and (head is None or head.email != department.email):
            addresses.append((department.email, "id"))
        self._notify(
            kind=NotificationKind.COMPLAINT_ROUTED,
            at=at,
            complaint=complaint,
            staff=[head] if head is not None and head.active else [],
            addresses=addresses,
        )
        if complaint.customer_email:
            self._notify(
                kind=NotificationKind.COMPLAINT_RECEIVED,
                at=at,
                complaint=complaint,
                addresses=[(complaint.customer_email, complaint.language)],
            )
        team = teams.of(department)
        fate = self._fate(complaint, rng)
        if team is not None and fate != "overdue":
            self._work(complaint, story, rng, team, fate)
        if complaint.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
            self._escalate_open(complaint)

    def _work(self, complaint, story, rng, team, fate) -> None:
        at = complaint.created_at
        lead, worker = team.lead, team.worker
        ack_minutes = self.calendar.minutes_between(at, complaint.acknowledge_due_at or at) or 240
        when = self.calendar.add(at, ack_minutes * rng.uniform(0.15, 0.8))
        self._step(complaint, when, lead.user, "acknowledged", story.ack, acknowledged_at=when)
        if fate == "acknowledged":
            return
        when = self.calendar.add(when, rng.uniform(3, 15))
        complaint.assigned_to, complaint.version = worker, complaint.version + 1
        self.history.append(_snapshot(complaint, when, lead.user))
        self._c_event(
            complaint,
            "assigned",
            when,
            lead.user,
            text=worker.full_name,
            data={"from": None, "to": worker.pk},
        )
        when = self.calendar.add(when, rng.uniform(20, 150))
        self._step(complaint, when, worker.user, "in_progress", "")
        when = self.calendar.add(when, rng.uniform(10, 60))
        self._c_event(complaint, "comment", when, worker.user, text=story.work)
        if fate == "in_progress":
            return
        when = self.calendar.add(when, rng.uniform(60, 240))
        self._c_event(
            complaint,
            "customer_update",
            when,
            worker.user,
            text=story.update,
            visibility=Visibility.CUSTOMER,
        )
        self._customer_update(complaint, when)
        resolve_minutes = self.calendar.minutes_between(at, complaint.resolve_due_at or at) or 2400
        when = max(when, self.calendar.add(at, resolve_minutes * rng.uniform(0.35, 0.95)))
        when += timedelta(minutes=rng.uniform(5, 30))
        self._step(
            complaint,
            when,
            worker.user,
            "resolved",
            story.resolution,
            visibility=Visibility.CUSTOMER,
            resolved_at=when,
        )
        self._customer_update(complaint, when)
        if fate == "resolved":
            return
        when = self.calendar.add(when, rng.uniform(120, 600))
        self._step(complaint, when, lead.user, "closed", story.close, closed_at=when)

    def _customer_update(self, complaint, at) -> None:
        if complaint.customer_email:
            self._notify(
                kind=NotificationKind.COMPLAINT_UPDATE,
                at=at,
                complaint=complaint,
                addresses=[(complaint.customer_email, complaint.language)],
            )

    def _step(
        self, complaint, at, by, to_status, text, *, visibility=Visibility.INTERNAL, **stamps
    ):
        old = complaint.status
        complaint.status = to_status
        for name, value in stamps.items():
            setattr(complaint, name, value)
        complaint.version += 1
        self.history.append(_snapshot(complaint, at, by))
        self._c_event(
            complaint, to_status, at, by, old, to_status, text=text, visibility=visibility
        )

    def _escalate_open(self, complaint: Complaint) -> None:
        """What the escalation sweep would have done by now to a complaint
        still open: each deadline missed is flagged and told to the head, then
        to the supervisors (messages_app.services.escalation), so that the
        sweep finds nothing left to do for the past."""
        department = complaint.department
        head = department.head if department is not None and department.head_id else None
        if head is not None and not (head.active and head.email):
            head = None
        steps = []
        if complaint.status in (ComplaintStatus.NEW, ComplaintStatus.ROUTED):
            steps.append(("acknowledge", complaint.acknowledge_due_at, ACK_HEAD, ACK_SUPERVISORS))
        steps.append(("resolve", complaint.resolve_due_at, RESOLVE_HEAD, RESOLVE_SUPERVISORS))
        for deadline, due, head_level, supervisors_level in steps:
            if due is None or due > self.now:
                continue
            data = {"deadline": deadline, "level": head_level}
            self._c_event(complaint, "overdue", due, None, text=deadline, data=data)
            if head is not None:
                self._c_event(
                    complaint,
                    "escalated_to_head",
                    due,
                    None,
                    text=head.full_name,
                    data={**data, "to": head.pk},
                )
                self._notify(
                    kind=NotificationKind.COMPLAINT_ESCALATED,
                    at=due,
                    complaint=complaint,
                    staff=[head],
                )
                complaint.escalation_level = head_level
                later = supervisors_due_at(complaint, due, self.calendar)
            else:
                later = due
            if later <= self.now:
                self._c_event(
                    complaint,
                    "escalated_to_supervisors",
                    later,
                    None,
                    data={"deadline": deadline, "level": supervisors_level, "to": []},
                )
                complaint.escalation_level = supervisors_level

    def _c_event(
        self,
        complaint,
        kind,
        at,
        by,
        from_status="",
        to_status="",
        *,
        text="",
        visibility=Visibility.INTERNAL,
        data=None,
    ):
        self.complaint_events.append(
            ComplaintEvent(
                complaint=complaint,
                kind=kind,
                at=at,
                by=by,
                from_status=from_status,
                to_status=to_status,
                text=text or "",
                visibility=visibility,
                data=data or {},
            )
        )
