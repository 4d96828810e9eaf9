"""Today at a busy desk, on top of the `calls` data set (1,000,000 calls over a
year at scale 1): 10,000 more calls today (up to the moment they are
written, shaped by the calls data set's hourly weights), eight weeks of
DailyRecaps before today with plausible figures (calls by hour, direction,
outcome and operator, as the build service writes them: the dashboard must
read only the hourly figure and the total), today's attendance for the
operators (a few late, a few absent), two open phone-line incidents and a few
hundred open message slips, some overdue.

The recaps are written directly (not by the recap build), so this data set
does not depend on it. Today's calls carry the note TODAY_NOTE: when the
data set is used on a later day, `refresh_today` replaces them with calls of
the new day (the scenario calls it), since the data set is kept between runs.
"""

import random
import time
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bench.core import Context, dataset
from bench.data.calls import (
    DAY_WEIGHTS,
    HOUR_WEIGHTS,
    INCOMING_OUTCOMES,
    OUTGOING_OUTCOMES,
    SUPERVISOR_USERNAME,
    USER_PREFIX,
    _reset_sequences,
    _write,
)
from calls.models import Call, Caller, Direction, IncidentKind, Outcome, PhoneLineIncident
from directory.models import Department
from messages_app.models import MessageSlip, SlipStatus
from reports.models import AttendanceDay, AttendanceStatus, DailyRecap

FULL_TODAY = 10_000
RECAP_DAYS = 8 * 7
TODAY_NOTE = "bench-dashboard-today"
SLIPS = 300
CALL_COLUMNS = [
    "direction", "started_at", "ended_at", "duration_seconds", "operator_id", "caller_id",
    "number_withheld", "caller_name", "caller_company", "caller_kind", "purpose", "outcome",
    "is_personal", "notes", "caller_extension", "delete_reason",
]  # fmt: skip


def _tables() -> list[str]:
    return [
        DailyRecap._meta.db_table,
        DailyRecap.history.model._meta.db_table,
        PhoneLineIncident._meta.db_table,
        PhoneLineIncident.history.model._meta.db_table,
    ]


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _operators() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(username__startswith=f"{USER_PREFIX}op-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _pick(rng, pairs):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def refresh_today(ctx: Context, *, now: datetime | None = None) -> dict:
    """Replace the data set's calls of "today" with `n` calls of the local day
    of `now` up to `now`, and today's attendance and open slips with fresh
    ones. Returns what it wrote."""
    rng = random.Random(ctx.seed + 1010)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    zone = _zone()
    local_now = now.astimezone(zone)
    today = local_now.date()
    midnight = datetime.combine(today, dt_time.min, tzinfo=zone)
    n = ctx.scaled(FULL_TODAY, minimum=50)
    operators = _operators()
    callers = list(Caller.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    with transaction.atomic():
        Call.objects.filter(notes=TODAY_NOTE).delete()
        # Hours of today so far, weighted as the calls data set weighs them.
        hours = list(range(local_now.hour + 1))
        weights = [HOUR_WEIGHTS[h] for h in hours]
        weights[-1] *= max(0.05, local_now.minute / 60)
        cum = list(accumulate(weights))
        span_end = now.timestamp()
        rows = []
        for _ in range(n):
            hour = hours[min(bisect_right(cum, rng.random() * cum[-1]), len(hours) - 1)]
            start = midnight.timestamp() + hour * 3600 + rng.random() * 3600
            start = min(start, span_end - 1)
            started = datetime.fromtimestamp(start, UTC)
            direction = Direction.OUTGOING if rng.random() < 0.1 else Direction.INCOMING
            outcome = _pick(rng, OUTGOING_OUTCOMES if direction == "out" else INCOMING_OUTCOMES)
            if direction == Direction.OUTGOING and outcome not in (
                Outcome.CONNECTED,
                Outcome.NO_ANSWER,
            ):
                outcome = Outcome.CONNECTED
            seconds = rng.randint(5, 300)
            caller = rng.choice(callers) if callers and rng.random() < 0.92 else None
            purpose = (
                "Tanya status pesanan" if outcome in (Outcome.MESSAGE, Outcome.COMPLAINT) else ""
            )
            rows.append((
                direction, _utc(started), _utc(started + timedelta(seconds=seconds)), seconds,
                rng.choice(operators), caller, caller is None, "", "", "unknown", purpose,
                outcome, False, TODAY_NOTE, "", "",
            ))  # fmt: skip
        _write(Call._meta.db_table, CALL_COLUMNS, rows, utc_columns=("started_at", "ended_at"))
        _reset_sequences([Call])

        # Operators with no row today (the kpi data set may have written some).
        AttendanceDay.objects.filter(correction_reason=TODAY_NOTE).delete()
        taken = set(
            AttendanceDay.objects.filter(date=today, operator_id__in=operators).values_list(
                "operator_id", flat=True
            )
        )
        attendance = []
        for i, operator_id in enumerate(operators):
            if operator_id in taken:
                continue
            status = AttendanceStatus.ABSENT if i % 25 == 3 else AttendanceStatus.PRESENT
            attendance.append(
                AttendanceDay(
                    operator_id=operator_id,
                    date=today,
                    status=status,
                    late_minutes=rng.randint(6, 40) if i % 9 == 4 and status == "present" else 0,
                    first_in=midnight + timedelta(hours=7) if status == "present" else None,
                    correction_reason=TODAY_NOTE,
                )
            )
        AttendanceDay.objects.bulk_create(attendance)

        taker = operators[0]
        department = Department.objects.order_by("pk").values_list("pk", flat=True).first()
        MessageSlip.objects.filter(message__startswith="[bench-dashboard]").delete()
        MessageSlip.objects.bulk_create(
            MessageSlip(
                message=f"[bench-dashboard] {i}",
                for_department_id=department,
                taken_by_id=taker,
                caller_name="Bench",
                status=SlipStatus.NEW if i % 3 else SlipStatus.ACKNOWLEDGED,
                created_at=now - timedelta(minutes=i),
                due_at=now - timedelta(minutes=i - 60),
            )
            for i in range(ctx.scaled(SLIPS, minimum=10))
        )
    return {"today": today.isoformat(), "n_today": n}


def _recap_figures(rng, day: date, operators: list[int], daily: int) -> dict:
    weight = DAY_WEIGHTS[day.weekday()]
    total_weight = sum(HOUR_WEIGHTS)
    by_hour = [
        max(0, round(daily * weight * w / total_weight * rng.uniform(0.85, 1.15)))
        for w in HOUR_WEIGHTS
    ]
    total = sum(by_hour)
    per_operator = {
        str(op): round(total / len(operators) * rng.uniform(0.5, 1.5)) for op in operators
    }
    return {
        "calls": {
            "total": total,
            "by_hour": by_hour,
            "by_direction": {
                "in": round(total * 0.85),
                "out": round(total * 0.1),
                "internal": total - round(total * 0.85) - round(total * 0.1),
            },  # fmt: skip
            "by_outcome": {o: round(total * w / 100) for o, w in INCOMING_OUTCOMES},
            "by_operator": per_operator,
            "busiest_hour": max(range(24), key=lambda h: by_hour[h]),
            "missed": round(total * 0.09),
        },
        "messages": {"taken": round(total * 0.12), "acknowledged": round(total * 0.1)},
        "complaints": {"opened": round(total * 0.03)},
    }


@dataset("dashboard", version=1, tables=_tables, needs=("calls",))
def build_dashboard(ctx: Context) -> dict:
    started = time.perf_counter()
    rng = random.Random(ctx.seed + 1000)
    operators = _operators()
    today = datetime.now(UTC).astimezone(_zone()).date()
    n_calls = ctx.datasets["calls"]["n_calls"]
    daily = max(10, round(n_calls / 365 / (sum(DAY_WEIGHTS) / 7)))
    recaps = [
        DailyRecap(
            date=today - timedelta(days=offset),
            figures=_recap_figures(rng, today - timedelta(days=offset), operators, daily),
        )
        for offset in range(1, RECAP_DAYS + 1)
    ]
    DailyRecap.objects.bulk_create(recaps)
    supervisor = get_user_model().objects.get(username=SUPERVISOR_USERNAME)
    now = datetime.now(UTC)
    PhoneLineIncident.objects.bulk_create(
        [
            PhoneLineIncident(
                line="Trunk 1 (Telkom)",
                kind=IncidentKind.OUTAGE,
                started_at=now - timedelta(hours=2),
                ticket_reference="TLK-123",
                logged_by=supervisor,
            ),
            PhoneLineIncident(
                line="ISDN 2",
                kind=IncidentKind.POOR_AUDIO,
                started_at=now - timedelta(minutes=40),
                logged_by=supervisor,
            ),
        ]  # fmt: skip
    )
    today_summary = refresh_today(ctx)
    return {
        **today_summary,
        "n_recaps": len(recaps),
        "build_s": round(time.perf_counter() - started, 2),
    }
