"""A hundred days of a busy desk for the recap benches, on top of the `calls`
data set (its operators, callers and categories): at scale 1, 1,000,000
calls over the 100 days from RECAP_START (10,000 a day, in office-hours
shape), taken by 50 operators; and on the last day (the one `daily_recap`
builds) 600 message slips, 150 complaints, the attendance of the 50
operators against the roster, 300 QA reviews and two phone-line incidents.

The days are in 2021, far from the `calls` data set's year, so neither
disturbs the other's figures; the slips and complaints are done/closed, so
no board or open list of another bench grows. The build deletes its own rows
by date range first (the Call table is shared, so it is never truncated) and
writes with COPY on PostgreSQL, executemany on SQLite (bench.data.calls).
"""

import random
import time
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings

from bench.core import Context, analyze, dataset
from bench.data.calls import (
    HOUR_WEIGHTS,
    INCOMING_OUTCOMES,
    MEAN_SECONDS,
    OUTGOING_OUTCOMES,
    SUPERVISOR_USERNAME,
    USER_PREFIX,
    _pick,
    _reset_sequences,
    _write,
)
from calls.models import Call, CallCategory, Caller, Direction, IncidentKind, PhoneLineIncident
from messages_app.models import Complaint, ComplaintStatus, MessageSlip, SlipStatus
from reports.models import AttendanceDay, AttendanceStatus, DailyRecap, Review, ReviewStatus
from reports.models.quality import ReviewKind, Scorecard

RECAP_START = date(2021, 1, 4)  # a Monday
DAYS = 100
FULL_CALLS = 1_000_000
FULL_OPERATORS = 50
FULL_SLIPS = 600
FULL_COMPLAINTS = 150
FULL_REVIEWS = 300
DIRECTIONS = [(Direction.INCOMING, 85), (Direction.OUTGOING, 10), (Direction.INTERNAL, 5)]


def _tables() -> list[str]:
    return [DailyRecap._meta.db_table, DailyRecap.history.model._meta.db_table]


def last_day() -> date:
    return RECAP_START + timedelta(days=DAYS - 1)


def _bounds():
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(RECAP_START, datetime.min.time(), tzinfo=tz)
    return start, start + timedelta(days=DAYS)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _clear():
    start, end = _bounds()
    Review.objects.filter(call_date__range=(RECAP_START, last_day())).delete()
    Call.objects.filter(started_at__gte=start, started_at__lt=end).delete()
    MessageSlip.objects.filter(created_at__gte=start, created_at__lt=end).delete()
    Complaint.objects.filter(created_at__gte=start, created_at__lt=end).delete()
    AttendanceDay.objects.filter(date__range=(RECAP_START, last_day())).delete()
    PhoneLineIncident.objects.filter(started_at__gte=start, started_at__lt=end).delete()


@dataset("recap", version=1, tables=_tables, needs=("calls",))
def build_recap(ctx: Context) -> dict:
    from django.contrib.auth import get_user_model

    rng = random.Random(ctx.seed + 1000)
    clock = time.perf_counter()
    _clear()
    users = get_user_model().objects.filter(username__startswith=f"{USER_PREFIX}op-")
    operator_ids = list(users.order_by("username").values_list("pk", flat=True))
    operator_ids = operator_ids[: ctx.scaled(FULL_OPERATORS, minimum=3)]
    supervisor_id = (
        get_user_model().objects.filter(username=SUPERVISOR_USERNAME).values_list("pk", flat=True)
    )[0]
    caller_ids = list(Caller.objects.order_by("pk").values_list("pk", flat=True)[:20_000])
    category_ids = list(CallCategory.objects.order_by("pk").values_list("pk", flat=True))
    n_calls = ctx.scaled(FULL_CALLS, minimum=DAYS * 5)
    per_day = n_calls // DAYS
    tz = ZoneInfo(settings.TIME_ZONE)
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    caller_cum = list(accumulate(1 / (r**0.8) for r in range(1, len(caller_ids) + 1)))
    columns = [
        "direction", "started_at", "ended_at", "duration_seconds", "operator_id", "caller_id",
        "number_withheld", "caller_name", "caller_company", "caller_kind", "category_id",
        "purpose", "outcome", "is_personal", "notes", "delete_reason", "caller_extension",
    ]  # fmt: skip
    rows = []
    random_ = rng.random
    for d in range(DAYS):
        day = RECAP_START + timedelta(days=d)
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        directions = _pick(rng, DIRECTIONS, per_day)
        for i in range(per_day):
            direction = directions[i]
            hour = bisect_right(hour_cum, random_() * hour_cum[-1])
            started = midnight + timedelta(hours=min(hour, 23), seconds=int(random_() * 3600))
            if direction == Direction.OUTGOING:
                outcome = _pick(rng, OUTGOING_OUTCOMES[:2], 1)[0]
            elif direction == Direction.INTERNAL:
                outcome = "answered"
            else:
                outcome = _pick(rng, INCOMING_OUTCOMES, 1)[0]
            duration = max(3, int(rng.expovariate(1 / MEAN_SECONDS[outcome])))
            caller_id = None
            if direction != Direction.INTERNAL and random_() > 0.08:
                caller_id = caller_ids[
                    min(bisect_right(caller_cum, random_() * caller_cum[-1]), len(caller_ids) - 1)
                ]
            rows.append(
                (
                    direction,
                    _utc(started),
                    _utc(started + timedelta(seconds=duration)),
                    duration,
                    operator_ids[int(random_() * len(operator_ids))],
                    caller_id,
                    caller_id is None and direction == Direction.INCOMING,
                    "",
                    "",
                    "unknown",
                    category_ids[int(random_() * len(category_ids))] if random_() < 0.8 else None,
                    "bench",
                    outcome,
                    False,
                    "",
                    "",
                    "",
                )
            )
        if len(rows) >= 100_000:
            _write(Call._meta.db_table, columns, rows, utc_columns=("started_at", "ended_at"))
            rows = []
    _write(Call._meta.db_table, columns, rows, utc_columns=("started_at", "ended_at"))
    _reset_sequences([Call])
    extras = _last_day(rng, ctx, operator_ids, supervisor_id, tz)
    analyze([Call._meta.db_table])
    return {
        "n_calls": per_day * DAYS,
        "calls_per_day": per_day,
        "days": DAYS,
        "first_day": RECAP_START.isoformat(),
        "last_day": last_day().isoformat(),
        "n_operators": len(operator_ids),
        **extras,
        "generate_s": round(time.perf_counter() - clock, 1),
    }


def _last_day(rng, ctx, operator_ids, supervisor_id, tz) -> dict:
    """Slips, complaints, attendance, reviews and incidents of the last day."""
    day = last_day()

    def moment(hour_low=7, hour_high=21):
        return datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
            seconds=int(rng.uniform(hour_low * 3600, hour_high * 3600))
        )

    from directory.models import Department

    department_id = Department.objects.order_by("pk").values_list("pk", flat=True)[0]
    slips = []
    for _ in range(ctx.scaled(FULL_SLIPS, minimum=5)):
        created = moment()
        acknowledged = created + timedelta(minutes=rng.randint(5, 300))
        slips.append(
            MessageSlip(
                for_department_id=department_id,
                caller_name="Bench",
                caller_number="+6281200000000",
                message="bench",
                taken_by_id=rng.choice(operator_ids),
                created_at=created,
                status=SlipStatus.DONE,
                due_at=created + timedelta(hours=2),
                delivered_at=created + timedelta(minutes=1),
                acknowledged_at=acknowledged,
                done_at=acknowledged + timedelta(minutes=10),
                escalation_level=1 if rng.random() < 0.05 else 0,
            )
        )
    MessageSlip.objects.bulk_create(slips, batch_size=1000)
    last_number = (
        Complaint.objects.filter(year=day.year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 900_000
    )
    complaints = []
    for i in range(ctx.scaled(FULL_COMPLAINTS, minimum=3)):
        created = moment()
        number = last_number + 1 + i
        complaints.append(
            Complaint(
                reference=f"BENCH-{day.year}-{number:07d}",
                year=day.year,
                number=number,
                customer_name="Bench",
                description="bench",
                created_by_id=rng.choice(operator_ids),
                created_at=created,
                status=ComplaintStatus.CLOSED,
                acknowledge_due_at=created + timedelta(hours=2),
                acknowledged_at=created + timedelta(minutes=rng.randint(5, 200)),
                resolve_due_at=created + timedelta(days=2),
                resolved_at=created + timedelta(hours=rng.randint(1, 60)),
                closed_at=created + timedelta(days=3),
            )
        )
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    statuses = [
        (AttendanceStatus.PRESENT, 85), (AttendanceStatus.ABSENT, 3), (AttendanceStatus.SICK, 4),
        (AttendanceStatus.LEAVE, 5), (AttendanceStatus.UNSCHEDULED, 3),
    ]  # fmt: skip
    AttendanceDay.objects.bulk_create(
        [
            AttendanceDay(
                operator_id=operator_id,
                date=day,
                status=status,
                late_minutes=rng.randint(6, 40)
                if status == AttendanceStatus.PRESENT and rng.random() < 0.08
                else 0,
            )
            for operator_id, status in zip(
                operator_ids, _pick(rng, statuses, len(operator_ids)), strict=True
            )
        ]
    )
    scorecard, _ = Scorecard.objects.get_or_create(name="Bench recap scorecard")
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    calls = list(
        Call.objects.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))
        .order_by("pk")
        .values_list("pk", "operator_id")[: ctx.scaled(FULL_REVIEWS, minimum=3)]
    )
    Review.objects.bulk_create(
        [
            Review(
                call_id=pk,
                operator_id=operator_id,
                call_date=day,
                reviewer_id=supervisor_id,
                scorecard=scorecard,
                kind=ReviewKind.REGULAR,
                status=ReviewStatus.ACKNOWLEDGED,
                score=Decimal(rng.randint(60, 100)),
            )
            for pk, operator_id in calls
        ]
    )
    for begin, minutes in ((moment(8, 12), 45), (moment(14, 16), 20)):
        PhoneLineIncident.objects.create(
            line="Bench trunk",
            kind=IncidentKind.OUTAGE,
            started_at=begin,
            ended_at=begin + timedelta(minutes=minutes),
            logged_by_id=supervisor_id,
        )
    return {
        "n_slips": len(slips),
        "n_complaints": len(complaints),
        "n_attendance": len(operator_ids),
        "n_reviews": len(calls),
    }
