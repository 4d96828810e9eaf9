"""A year of the desk's people, on top of the `calls` data set (its 100
operators and 1,000,000 calls at scale 1): the roster and attendance for
every day of the calls' year, 20,000 regular reviews of randomly drawn calls,
and the per-day call figures (reports.OperatorDay) built once, as the nightly
job would, by reports.services.operator_days.operator_days_build; the time
that build takes is reported as `build_s`.

Roster: each operator works one of the three shifts (Pagi, Siang, Malam,
rotating by operator) Monday to Friday and every other Saturday; about 3 % of
rostered days are leave, 1.5 % sick and 1 % permission. Attendance: most
shifts are worked on time, about 8 % late (6-45 minutes), 4 % left early, 2 %
absent; about 2 % of free days are unscheduled work. Today's shifts are still
"scheduled". Reviews: mostly acknowledged, some submitted, disputed or
resolved, 3 % drafts; scores around 86, 2 % auto-fails (score 0).

Written with COPY on PostgreSQL and executemany on SQLite (bench.data.calls
writes the same way); no history rows (the measured pages read none).
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from bench.core import Context, dataset
from bench.data.calls import SUPERVISOR_USERNAME, USER_PREFIX, _reset_sequences, _write
from calls.models import Call
from reports.models import (
    AttendanceDay,
    AttendanceStatus,
    KpiSignOff,
    OperatorDay,
    OperatorDayDirty,
    Review,
    ReviewStatus,
    RosterEntry,
    RosterKind,
    Scorecard,
    ShiftType,
)
from reports.services.operator_days import operator_days_build

FULL_REVIEWS = 20_000
DAYS = 366
CHUNK = 50_000
SHIFTS = [("Bench Pagi", "BP", 7, 15), ("Bench Siang", "BS", 15, 23), ("Bench Malam", "BM", 23, 7)]
REVIEW_STATES = [
    (ReviewStatus.ACKNOWLEDGED, 80), (ReviewStatus.SUBMITTED, 10),
    (ReviewStatus.DISPUTED, 2), (ReviewStatus.RESOLVED, 5), (ReviewStatus.DRAFT, 3),
]  # fmt: skip


def _tables() -> list[str]:
    models = [AttendanceDay, RosterEntry, Review, OperatorDay, OperatorDayDirty, KpiSignOff]
    tables = [m._meta.db_table for m in models]
    return tables + [m.history.model._meta.db_table for m in (AttendanceDay, RosterEntry, Review)]


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _shift_types() -> list[ShiftType]:
    found = []
    for i, (name, code, start, end) in enumerate(SHIFTS):
        shift, _ = ShiftType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "starts_at": dt_time(start),
                "ends_at": dt_time(end),
                "order": 90 + i,
            },
        )
        found.append(shift)
    return found


def _pick(rng, pairs):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


ROSTER_COLUMNS = ["id", "operator_id", "date", "kind", "shift_type_id", "note", "updated_at"]
ATTENDANCE_COLUMNS = [
    "operator_id", "date", "roster_entry_id", "shift_type_id", "scheduled_start",
    "scheduled_end", "first_in", "last_out", "worked_minutes", "status", "late_minutes",
    "early_minutes", "corrected", "correction_reason", "corrected_by_id", "corrected_at",
    "computed_at",
]  # fmt: skip
ATTENDANCE_STAMPS = ("scheduled_start", "scheduled_end", "first_in", "last_out", "computed_at")
REVIEW_COLUMNS = [
    "call_id", "operator_id", "call_date", "reviewer_id", "scorecard_id", "kind", "status",
    "score", "auto_failed", "comment", "coaching_notes", "created_at", "submitted_at",
    "acknowledged_at", "dispute_reason", "disputed_at", "dispute_decision", "dispute_note",
    "score_before_dispute",
]  # fmt: skip
REVIEW_STAMPS = ("created_at", "submitted_at", "acknowledged_at", "disputed_at")


def _attendance(rng, operator_ids, shifts, today: date, now: datetime) -> tuple[int, int]:
    """RosterEntry and AttendanceDay rows for the DAYS days up to today."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first = today - timedelta(days=DAYS - 1)
    roster, attendance = [], []
    entry_id = n_roster = n_attendance = 0
    stamp = _utc(now)
    for index, operator_id in enumerate(operator_ids):
        shift = shifts[index % len(shifts)]
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            weekday = day.weekday()
            works = weekday < 5 or (weekday == 5 and (offset // 7 + index) % 2 == 0)
            if not works:
                if day < today and rng.random() < 0.02:
                    start = datetime.combine(day, shift.starts_at, tzinfo=tz)
                    attendance.append((
                        operator_id, day.isoformat(), None, None, None, None, _utc(start),
                        _utc(start + timedelta(hours=6)), 360, AttendanceStatus.UNSCHEDULED,
                        0, 0, False, "", None, None, stamp,
                    ))  # fmt: skip
                continue
            entry_id += 1
            draw = rng.random()
            kind = (
                RosterKind.LEAVE if draw < 0.03
                else RosterKind.SICK if draw < 0.045
                else RosterKind.PERMISSION if draw < 0.055
                else RosterKind.SHIFT
            )  # fmt: skip
            is_shift = kind == RosterKind.SHIFT
            roster.append((
                entry_id, operator_id, day.isoformat(), kind, shift.pk if is_shift else None, "",
                stamp,
            ))  # fmt: skip
            if not is_shift:
                attendance.append((
                    operator_id, day.isoformat(), entry_id, None, None, None, None, None, 0,
                    kind, 0, 0, False, "", None, None, stamp,
                ))  # fmt: skip
                continue
            start, end = shift.span(day)
            late = early = 0
            first_in = last_out = None
            status = AttendanceStatus.PRESENT
            if day >= today:
                status = AttendanceStatus.SCHEDULED
            else:
                draw = rng.random()
                if draw < 0.02:
                    status = AttendanceStatus.ABSENT
                else:
                    if draw < 0.10:
                        late = rng.randint(6, 45)
                    if rng.random() < 0.04:
                        early = rng.randint(6, 60)
                    first_in = start + timedelta(minutes=late or -rng.randint(0, 10))
                    last_out = end - timedelta(minutes=early or -rng.randint(0, 10))
            worked = int((last_out - first_in).total_seconds() // 60) if first_in else 0
            attendance.append((
                operator_id, day.isoformat(), entry_id, shift.pk, _utc(start), _utc(end),
                _utc(first_in), _utc(last_out), worked, status, late, early, False, "", None,
                None, stamp,
            ))  # fmt: skip
            if len(attendance) >= CHUNK:
                n_attendance += len(attendance)
                _write(AttendanceDay._meta.db_table, ATTENDANCE_COLUMNS, attendance,
                       utc_columns=ATTENDANCE_STAMPS)  # fmt: skip
                attendance = []
        if len(roster) >= CHUNK:
            n_roster += len(roster)
            _write(RosterEntry._meta.db_table, ROSTER_COLUMNS, roster, utc_columns=("updated_at",))
            roster = []
    n_roster += len(roster)
    n_attendance += len(attendance)
    _write(RosterEntry._meta.db_table, ROSTER_COLUMNS, roster, utc_columns=("updated_at",))
    _write(
        AttendanceDay._meta.db_table, ATTENDANCE_COLUMNS, attendance, utc_columns=ATTENDANCE_STAMPS
    )
    _reset_sequences([RosterEntry, AttendanceDay])
    return n_roster, n_attendance


def _reviews(rng, n: int, reviewer_id: int, scorecard_id: int) -> int:
    """n regular reviews of distinct live calls drawn at random."""
    tz = ZoneInfo(settings.TIME_ZONE)
    span = Call.objects.filter(deleted_at__isnull=True).order_by("pk")
    low = span.values_list("pk", flat=True).first()
    high = span.reverse().values_list("pk", flat=True).first()
    if low is None:
        return 0
    picked = sorted(rng.sample(range(low, high + 1), min(n + n // 10 + 10, high - low + 1)))
    rows = []
    for first in range(0, len(picked), 10_000):
        calls = (
            Call.objects.filter(pk__in=picked[first : first + 10_000], deleted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "operator_id", "started_at")
        )
        for pk, operator_id, started in calls:
            if len(rows) == n:
                break
            status = _pick(rng, REVIEW_STATES)
            auto = rng.random() < 0.02
            score = Decimal(0) if auto else Decimal(min(100, max(30, round(rng.gauss(86, 8), 2))))
            created = started + timedelta(days=rng.randint(1, 10))
            submitted = None if status == ReviewStatus.DRAFT else created
            acknowledged = (
                created + timedelta(days=1) if status == ReviewStatus.ACKNOWLEDGED else None
            )
            disputed = (
                created + timedelta(days=1)
                if status in (ReviewStatus.DISPUTED, ReviewStatus.RESOLVED)
                else None
            )
            rows.append((
                pk, operator_id, started.astimezone(tz).date().isoformat(), reviewer_id,
                scorecard_id, "regular", status, f"{score:.2f}", auto, "", "", _utc(created),
                _utc(submitted), _utc(acknowledged), "Saya tidak setuju" if disputed else "",
                _utc(disputed), "", "", None,
            ))  # fmt: skip
    _write(Review._meta.db_table, REVIEW_COLUMNS, rows, utc_columns=REVIEW_STAMPS)
    return len(rows)


@dataset("kpi", version=1, tables=_tables, needs=("calls",))
def build_kpi(ctx: Context) -> dict:
    rng = random.Random(ctx.seed + 900)
    clock = time.perf_counter()
    User = get_user_model()
    operator_ids = list(
        User.objects.filter(username__startswith=f"{USER_PREFIX}op-")
        .order_by("username")
        .values_list("pk", flat=True)
    )
    supervisor_id = User.objects.get(username=SUPERVISOR_USERNAME).pk
    shifts = _shift_types()
    scorecard, _ = Scorecard.objects.get_or_create(name="Bench scorecard")
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()

    n_roster, n_attendance = _attendance(rng, operator_ids, shifts, today, now)
    attendance_s = time.perf_counter() - clock
    n_reviews = _reviews(rng, ctx.scaled(FULL_REVIEWS, minimum=50), supervisor_id, scorecard.pk)
    reviews_s = time.perf_counter() - clock - attendance_s

    # The one build of the year's per-day figures, timed on its own.
    first_call = Call.objects.order_by("started_at").values_list("started_at", flat=True).first()
    first_day = first_call.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if first_call else today
    built = time.perf_counter()
    counts = operator_days_build(start=first_day, end=today, today=today)
    build_s = time.perf_counter() - built
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Call._meta.db_table)}")
    return {
        "n_operators": len(operator_ids),
        "n_roster_entries": n_roster,
        "n_attendance_days": n_attendance,
        "n_reviews": n_reviews,
        "n_operator_days": counts["created"],
        "first_day": first_day.isoformat(),
        "today": today.isoformat(),
        "attendance_s": round(attendance_s, 1),
        "reviews_s": round(reviews_s, 1),
        "build_s": round(build_s, 2),
    }
