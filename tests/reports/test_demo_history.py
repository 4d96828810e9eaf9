"""`manage.py seed_demo_history`: eight weeks of calls by the operators on
duty, with their slips and complaints and an incident, in `make seed`'s
order from an empty database; running it again changes nothing."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.management.commands.seed_demo_calls import demo_days
from calls.models import Call, Caller, Direction, Outcome, PhoneLineIncident
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    MessageSlip,
    Notification,
    ReferenceCounter,
    SlipEvent,
    SlipStatus,
)
from reports.demo.history import WEEKS, history_days
from reports.models import ClockSession, Review, RosterEntry

# make seed, in order (Makefile)
SEED_COMMANDS = [
    ["seed_demo"],
    ["seed_holidays"],
    ["seed_demo_roster"],
    ["seed_demo_history"],
    ["seed_demo_calls"],
    ["seed_demo_messages"],
    ["seed_demo_reviews"],
    ["build_operator_days", "--demo"],
]


def snapshot() -> dict:
    return {
        "calls": Call.objects.count(),
        "call_history": Call.history.count(),
        "callers": list(Caller.objects.order_by("pk").values_list("pk", "call_count")),
        "slips": list(MessageSlip.objects.order_by("pk").values_list("pk", "status", "version")),
        "slip_history": MessageSlip.history.count(),
        "slip_events": SlipEvent.objects.count(),
        "complaints": list(Complaint.objects.order_by("pk").values_list("pk", "status")),
        "complaint_history": Complaint.history.count(),
        "complaint_events": ComplaintEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "counters": list(ReferenceCounter.objects.values_list("year", "last")),
        "incidents": PhoneLineIncident.history.count(),
        "roster": RosterEntry.history.count(),
        "sessions": ClockSession.objects.count(),
    }


def test_history_days_are_the_weeks_before_seed_demo_calls_and_the_weekend_between():
    """seed_demo_calls takes today and the five working days before it (Tue 24
    Nov to Tue 1 Dec); the history takes the eight weeks before, and the
    weekend among them, so every day up to today has its calls."""
    today = dt.date(2026, 12, 1)
    days = history_days(today)
    covered = demo_days(today)
    assert len(days) == WEEKS * 7 + 2
    assert days[WEEKS * 7 - 1] + dt.timedelta(days=1) == min(covered)
    assert days[WEEKS * 7 :] == [dt.date(2026, 11, 28), dt.date(2026, 11, 29)]
    assert not set(days) & set(covered)
    every_day = {min(days) + dt.timedelta(days=n) for n in range((today - min(days)).days + 1)}
    assert set(days) | set(covered) == every_day


@pytest.fixture
def seeded(db):
    for command in SEED_COMMANDS:
        call_command(*command, stdout=StringIO())
    return snapshot()


def local(moment):
    return timezone.localtime(moment)


def test_make_seed_gives_eight_weeks_of_history_and_a_second_run_changes_nothing(seeded):
    today = timezone.localdate()
    days = history_days(today)
    start = timezone.make_aware(dt.datetime.combine(days[0], dt.time(0)))
    end = timezone.make_aware(dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0)))
    calls = list(
        Call.objects.filter(started_at__gte=start, started_at__lt=end).select_related("operator")
    )
    assert len(calls) > 6000
    # Every rostered operator logged calls, and only inside their clocked time.
    assert len({c.operator.username for c in calls}) == 4
    sessions: dict[int, list] = {}
    for session in ClockSession.objects.filter(clock_out__isnull=False):
        sessions.setdefault(session.operator_id, []).append((session.clock_in, session.clock_out))
    for call in calls:
        assert any(
            inn <= call.started_at and call.ended_at <= out
            for inn, out in sessions[call.operator_id]
        ), call
    # The daily shape: weekdays busier than weekends, Monday the busiest.
    per_day = Counter(local(c.started_at).date() for c in calls)
    by_weekday: dict[int, list] = {}
    for day in days:
        by_weekday.setdefault(day.weekday(), []).append(per_day.get(day, 0))
    average = {wd: sum(v) / len(v) for wd, v in by_weekday.items()}
    weekday = sum(average[wd] for wd in range(5)) / 5
    weekend = (average[5] + average[6]) / 2
    assert weekday > 2 * weekend
    assert average[0] == max(average.values())
    assert 120 <= weekday <= 250
    # The hourly shape: the morning peak, the lunch dip, quiet nights.
    per_hour = Counter(local(c.started_at).hour for c in calls)
    assert per_hour[10] > 10 * per_hour[3]
    assert per_hour[12] < per_hour[10] and per_hour[14] > per_hour[12]
    # Missed calls, some rung back by a later outgoing call to the same number.
    missed = [
        c
        for c in calls
        if c.direction == Direction.INCOMING and c.outcome == Outcome.NO_ANSWER and c.caller_id
    ]
    outgoing = {(c.caller_id, c.started_at) for c in calls if c.direction == Direction.OUTGOING}
    rung_back = [
        m
        for m in missed
        if any(
            caller == m.caller_id and m.started_at < at <= m.started_at + dt.timedelta(hours=3)
            for caller, at in outgoing
        )
    ]
    assert 0 < len(rung_back) < len(missed)
    # Repeat callers: some numbers ring several times, most once.
    per_caller = Counter(c.caller_id for c in calls if c.caller_id)
    assert sum(1 for n in per_caller.values() if n > 1) > 50
    assert sum(1 for n in per_caller.values() if n == 1) > len(per_caller) / 2

    # Slips and complaints follow the calls' outcomes.
    messages = [c for c in calls if c.outcome == Outcome.MESSAGE]
    complaints = [c for c in calls if c.outcome == Outcome.COMPLAINT]
    assert messages and complaints
    assert MessageSlip.objects.filter(call__in=messages).count() == len(messages)
    assert Complaint.objects.filter(call__in=complaints).count() == len(complaints)
    assert not MessageSlip.objects.filter(call__in=calls).exclude(call__outcome=Outcome.MESSAGE)
    old = timezone.make_aware(dt.datetime.combine(days[-1] - dt.timedelta(days=14), dt.time(0)))
    old_slips = MessageSlip.objects.filter(call__in=calls, created_at__lt=old)
    assert old_slips.filter(status=SlipStatus.DONE).count() > 0.8 * old_slips.count()
    assert not old_slips.exclude(status__in=[SlipStatus.DONE, SlipStatus.ACKNOWLEDGED])
    ours = Complaint.objects.filter(call__in=calls)
    assert not ours.filter(created_at__lt=old, status__in=OPEN_COMPLAINT_STATUSES)
    assert ours.filter(status=ComplaintStatus.CLOSED).count() > ours.count() / 2
    assert ours.filter(status__in=OPEN_COMPLAINT_STATUSES, escalation_level__gt=0).exists()
    for complaint in ours.filter(status=ComplaintStatus.CLOSED)[:20]:
        kinds = list(complaint.events.values_list("kind", flat=True))
        assert kinds[:2] == ["created", "routed"] and kinds[-1] == "closed"
        assert complaint.history.count() >= 5
    # No e-mail left to send: every notification is stamped sent.
    assert not Notification.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    # References: gap-free per year, the counter where the numbers stop, and
    # in date order: the history is seeded before seed_demo_messages' days.
    for year, last in ReferenceCounter.objects.values_list("year", "last"):
        numbers = list(
            Complaint.objects.filter(year=year)
            .order_by("created_at", "pk")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, last + 1))
    # One incident, closed, a couple of hours on a weekday; none open.
    incident = PhoneLineIncident.objects.get()
    assert incident.ended_at and incident.started_at.weekday() < 5
    assert dt.timedelta(hours=1) < incident.duration() < dt.timedelta(hours=4)
    # The reviews seed found its calls in the history: no patch days.
    assert Review.objects.exists()
    assert Call.objects.count() == seeded["calls"]

    # seed_demo_calls' days: the same desk, by whoever is clocked in; the demo
    # operator (the log-in) has calls today.
    recent = Call.objects.filter(started_at__gte=end).select_related("operator")
    per_day = Counter(local(c.started_at).date() for c in recent)
    assert {c.operator.username for c in recent} == {"operator", "dewi", "rudi", "maya"}
    assert recent.filter(operator__username="operator", started_at__date=today).exists()
    working = [n for day, n in per_day.items() if day != today and day.weekday() < 5]
    assert sum(working) / len(working) > 120

    for command in SEED_COMMANDS[2:]:
        call_command(*command, stdout=StringIO())
    assert snapshot() == seeded
