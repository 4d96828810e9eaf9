"""Reads behind the shift handover: the operator's shift window, their
shift's recap (aggregate queries over that window only), the handovers
waiting for an incoming operator, and the supervisors' list.

The shift window, for the operator at `now`:
1. the span of their rostered shift that is under way, or that ended less
   than HANDOVER_GRACE ago (today's, or last night's Malam), else
2. their clock session (open, or the latest one of the last 16 hours), from
   clocking in, else
3. the local day so far.
Its start is what makes a handover "once per shift" (the model's constraint
on operator and period_start).

Who receives a handover: the operator rostered on a later shift that starts
by RECEIVE_WINDOW after the handover's end, or any operator on duty now
(clocked in). Operators see only their own handovers and those.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Call, Direction, Outcome
from messages_app.models import (
    OPEN_COMPLAINT_STATUSES,
    OPEN_SLIP_STATUSES,
    UNACKNOWLEDGED_SLIP_STATUSES,
    Complaint,
    MessageSlip,
)
from reports.models import ClockSession, RosterEntry, RosterKind, ShiftHandover
from switchboard.dates import local_day_start

HANDOVER_GRACE = timedelta(hours=2)  # a handover written just after the shift ended
RECEIVE_WINDOW = timedelta(hours=12)
WAITING_DAYS = 2  # older unacknowledged handovers are no longer anyone's
MISSED_OUTCOMES = (Outcome.NO_ANSWER, Outcome.CALL_BACK)
MISSED_LIST_LIMIT = 20


@dataclass
class ShiftWindow:
    start: datetime
    end: datetime  # now, or the shift's end when that is already past
    day: date
    shift_type: object | None
    source: str  # "roster", "clock" or "day"

    @property
    def source_label(self) -> str:
        return {
            "roster": _("your rostered shift"),
            "clock": _("since you clocked in"),
            "day": _("today so far"),
        }[self.source]


def shift_window(*, operator, now: datetime | None = None) -> ShiftWindow:
    """The operator's shift at `now` (see the module's docstring): two
    queries at most."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    entries = RosterEntry.objects.filter(
        operator=operator, date__in=(today - timedelta(days=1), today), kind=RosterKind.SHIFT
    ).select_related("shift_type")
    current = [e for e in entries if e.span()[0] <= now < e.span()[1] + HANDOVER_GRACE]
    if current:
        entry = max(current, key=lambda e: e.span()[0])
        start, end = entry.span()
        return ShiftWindow(start, min(now, end), entry.date, entry.shift_type, "roster")
    session = (
        ClockSession.objects.filter(operator=operator, clock_in__lte=now)
        .filter(Q(clock_out__isnull=True) | Q(clock_out__gte=now - timedelta(hours=16)))
        .order_by("-clock_in")
        .first()
    )
    if session is not None:
        end = min(now, session.clock_out) if session.clock_out else now
        return ShiftWindow(
            session.clock_in, end, timezone.localdate(session.clock_in), None, "clock"
        )
    return ShiftWindow(local_day_start(today), now, today, None, "day")


def missed_not_called_back(calls):
    """Of `calls` (a Call queryset), the incoming ones left unanswered or to
    be called back (no answer, call back later) with no later outgoing call to
    the same caller. A withheld number cannot be called back: left out."""
    later_call = Call.objects.live().filter(
        direction=Direction.OUTGOING,
        caller=OuterRef("caller"),
        started_at__gt=OuterRef("started_at"),
    )
    return (
        calls.filter(
            direction=Direction.INCOMING, outcome__in=MISSED_OUTCOMES, caller__isnull=False
        )
        .annotate(called_back=Exists(later_call))
        .filter(called_back=False)
    )


def _calls_in(start, end, operator=None):
    calls = Call.objects.live().filter(started_at__gte=start, started_at__lt=end)
    return calls.filter(operator=operator) if operator is not None else calls


def shift_figures(*, operator, start: datetime, end: datetime, now=None) -> dict:
    """The operator's shift recap between `start` and `end`: their calls by
    outcome and direction, the messages and complaints they took (and how many
    are still open), the desk's open and overdue slips, and their missed calls
    not called back. JSON-ready; five aggregate queries."""
    now = now or timezone.now()
    # The window's calls up to the handover's moment (a call logged at 14:59:59
    # is in; the end is inclusive of its last second).
    end = end + timedelta(microseconds=1)
    mine = _calls_in(start, end, operator)
    outcome_counts = {
        f"outcome_{value}": Count("pk", filter=Q(outcome=value)) for value in Outcome.values
    }
    direction_counts = {
        f"direction_{value}": Count("pk", filter=Q(direction=value)) for value in Direction.values
    }
    calls = mine.aggregate(total=Count("pk"), **outcome_counts, **direction_counts)
    slips = MessageSlip.objects.filter(
        taken_by=operator, created_at__gte=start, created_at__lt=end
    ).aggregate(taken=Count("pk"), still_open=Count("pk", filter=Q(status__in=OPEN_SLIP_STATUSES)))
    complaints = Complaint.objects.filter(
        created_by=operator, created_at__gte=start, created_at__lt=end
    ).aggregate(
        taken=Count("pk"), still_open=Count("pk", filter=Q(status__in=OPEN_COMPLAINT_STATUSES))
    )
    desk = MessageSlip.objects.filter(status__in=OPEN_SLIP_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=UNACKNOWLEDGED_SLIP_STATUSES, due_at__lt=now)),
    )
    missed = missed_not_called_back(mine).aggregate(n=Count("pk"))["n"]
    return {
        "calls": {
            "total": calls["total"],
            "by_outcome": {
                v: calls[f"outcome_{v}"] for v in Outcome.values if calls[f"outcome_{v}"]
            },
            "by_direction": {
                v: calls[f"direction_{v}"] for v in Direction.values if calls[f"direction_{v}"]
            },
        },
        "messages": {"taken": slips["taken"], "still_open": slips["still_open"]},
        "complaints": {"taken": complaints["taken"], "still_open": complaints["still_open"]},
        "desk": {"open_slips": desk["open"], "overdue_slips": desk["overdue"]},
        "missed_not_called_back": missed,
    }


def missed_list(*, operator, start, end, limit: int = MISSED_LIST_LIMIT) -> list:
    """The operator's missed calls not called back in the window, newest
    first, for the page (links to each call): one query."""
    calls = _calls_in(start, end + timedelta(microseconds=1), operator)
    return list(
        missed_not_called_back(calls).select_related("caller").order_by("-started_at")[:limit]
    )


def figure_rows(figures: dict) -> dict:
    """The stored figures with labels, for the page (outcomes in the
    outcome's order, with its name in the reader's language)."""
    calls = figures.get("calls", {})
    outcomes = calls.get("by_outcome", {})
    directions = calls.get("by_direction", {})
    return {
        "total": calls.get("total", 0),
        "outcomes": [
            {"value": v, "label": label, "n": outcomes[v]}
            for v, label in Outcome.choices
            if outcomes.get(v)
        ],
        "directions": [
            {"value": v, "label": label, "n": directions[v]}
            for v, label in Direction.choices
            if directions.get(v)
        ],
        "messages": figures.get("messages", {}),
        "complaints": figures.get("complaints", {}),
        "desk": figures.get("desk", {}),
        "missed": figures.get("missed_not_called_back", 0),
    }


# Receiving --------------------------------------------------------------------


def _related():
    return ShiftHandover.objects.select_related("operator", "acknowledged_by", "shift_type")


def receiving_context(*, user, now=None) -> dict:
    """What decides which handovers `user` receives: their roster entries
    around now and whether they are clocked in. Two queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    entries = list(
        RosterEntry.objects.filter(
            operator=user,
            date__range=(today - timedelta(days=WAITING_DAYS), today + timedelta(days=1)),
            kind=RosterKind.SHIFT,
        ).select_related("shift_type")
    )
    clocked_in = ClockSession.objects.filter(operator=user, clock_out__isnull=True).exists()
    return {"spans": [e.span() for e in entries], "clocked_in": clocked_in}


def receives(handover: ShiftHandover, *, user, context: dict) -> bool:
    """Whether `user` is an incoming operator for `handover`: not its author,
    and on duty now or rostered on a later shift that starts soon after it."""
    if handover.operator_id == user.pk:
        return False
    if context["clocked_in"]:
        return True
    return any(
        handover.period_start < start <= handover.period_end + RECEIVE_WINDOW
        for start, _end in context["spans"]
    )


def handovers_waiting_for(*, user, now=None) -> list[ShiftHandover]:
    """Unacknowledged handovers of the last WAITING_DAYS that `user` receives,
    oldest first: three queries."""
    now = now or timezone.now()
    context = receiving_context(user=user, now=now)
    waiting = (
        _related()
        .filter(acknowledged_at__isnull=True, period_end__gte=now - timedelta(days=WAITING_DAYS))
        .exclude(operator=user)
        .order_by("period_end", "id")
    )
    return [h for h in waiting if receives(h, user=user, context=context)]


def handovers_of(*, operator, limit: int = 10) -> list[ShiftHandover]:
    return list(_related().filter(operator=operator).order_by("-period_start")[:limit])


def handover_list(*, state: str = ""):
    """The supervisors' list, newest first; `state` "waiting" or
    "acknowledged" narrows."""
    handovers = _related().order_by("-period_end", "-id")
    if state == "waiting":
        handovers = handovers.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        handovers = handovers.filter(acknowledged_at__isnull=False)
    return handovers


def handover_for_shift(*, operator, start) -> ShiftHandover | None:
    return _related().filter(operator=operator, period_start=start).first()
