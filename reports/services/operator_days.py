"""The per-day call figures the KPIs are read from (reports.models.OperatorDay).

What is counted, per operator and local day (settings.TIME_ZONE; a call
belongs to the day it started):
- calls handled: every call the operator logged, in any direction and with
  any outcome, that a supervisor has not deleted (`deleted_at` is empty);
- calls with a duration: those of them with a duration above 0 seconds, and
  their talk time in seconds (the average handling time is talk time over
  calls with a duration);
- incoming, outgoing and internal calls.

`operator_days_build(start=, end=)` writes a range of days from ONE grouped
aggregate query over the call log, and writes only the rows that changed:
a re-run changes nothing; a day that lost all its calls loses its row. Today
is never written (it is read live, reports.selectors_kpi.live_day_counts).

Kept fresh three ways: every night for yesterday and the KPI_REBUILD_DAYS
days before it (late corrections), every few minutes for the days a call's
change marked (OperatorDayDirty, written in the same transaction as the
change by the Call signals connected in reports.apps), and by hand with
`manage.py build_operator_days`.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from calls.models import Call, Direction
from reports.models import OperatorDay, OperatorDayDirty
from switchboard.dates import local_day_start

FIGURES = (
    "calls_handled",
    "calls_timed",
    "talk_seconds",
    "calls_in",
    "calls_out",
    "calls_internal",
)


def rebuild_days() -> int:
    return settings.KPI_REBUILD_DAYS


def call_day_counts(calls, *, start: date, end: date) -> dict[tuple[int, date], dict]:
    """{(operator id, local date): figures} for the live calls in `calls`
    that started on the local days start..end (inclusive), in one GROUP BY
    query; the range is an index-friendly [start, end + 1 day) on started_at."""
    tz = timezone.get_default_timezone()
    timed = Q(duration_seconds__gt=0)
    rows = (
        calls.filter(
            deleted_at__isnull=True,
            started_at__gte=local_day_start(start),
            started_at__lt=local_day_start(end + timedelta(days=1)),
        )
        .order_by()
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("operator_id", "day")
        .annotate(
            calls_handled=Count("pk"),
            calls_timed=Count("pk", filter=timed),
            talk_seconds=Coalesce(Sum("duration_seconds", filter=timed), 0),
            calls_in=Count("pk", filter=Q(direction=Direction.INCOMING)),
            calls_out=Count("pk", filter=Q(direction=Direction.OUTGOING)),
            calls_internal=Count("pk", filter=Q(direction=Direction.INTERNAL)),
        )
    )
    found = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, datetime):  # pragma: no cover - a backend's date as datetime
            day = day.date()
        elif isinstance(day, str):  # pragma: no cover
            day = date.fromisoformat(day)
        found[(row["operator_id"], day)] = {name: int(row[name] or 0) for name in FIGURES}
    return found


@transaction.atomic
def operator_days_build(
    *, start: date, end: date, operator_ids=None, today: date | None = None
) -> dict[str, int]:
    """Write the OperatorDay rows of the local days start..end (inclusive; a
    day from today on is left out, it is read live) from one aggregate query
    over the call log, for every operator or only `operator_ids`. Creates the
    missing rows, updates the changed ones, deletes those of days that lost
    all their calls, leaves the rest untouched. Returns the counts
    {"created", "updated", "deleted", "unchanged"}."""
    today = today or timezone.localdate()
    end = min(end, today - timedelta(days=1))
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    if end < start:
        return counts
    calls = Call.objects.all()
    existing = OperatorDay.objects.filter(date__gte=start, date__lte=end)
    if operator_ids is not None:
        operator_ids = list(operator_ids)
        calls = calls.filter(operator_id__in=operator_ids)
        existing = existing.filter(operator_id__in=operator_ids)
    wanted = call_day_counts(calls, start=start, end=end)
    have = {(row.operator_id, row.date): row for row in existing}
    now = timezone.now()
    write = []
    for key, figures in wanted.items():
        row = have.get(key)
        if row is not None and all(getattr(row, k) == v for k, v in figures.items()):
            counts["unchanged"] += 1
            continue
        counts["updated" if row is not None else "created"] += 1
        write.append(OperatorDay(operator_id=key[0], date=key[1], built_at=now, **figures))
    if write:
        # An upsert, so that two builds of the same days at once cannot collide.
        OperatorDay.objects.bulk_create(
            write,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["operator", "date"],
            update_fields=[*FIGURES, "built_at"],
        )
    gone = [row.pk for key, row in have.items() if key not in wanted]
    for first in range(0, len(gone), 2000):
        OperatorDay.objects.filter(pk__in=gone[first : first + 2000]).delete()
    counts["deleted"] = len(gone)
    return counts


def operator_days_nightly(*, today: date | None = None) -> dict[str, int]:
    """Yesterday and the KPI_REBUILD_DAYS days before it (late corrections)."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    return operator_days_build(
        start=yesterday - timedelta(days=rebuild_days()), end=yesterday, today=today
    )


def mark_dirty(pairs) -> None:
    """Mark (operator id, local date) pairs for a rebuild, in the caller's
    transaction. A pair already marked gets a fresh mark time, so a fold that
    is running keeps it for its next round."""
    rows = [
        OperatorDayDirty(operator_id=operator_id, date=day, marked_at=timezone.now())
        for operator_id, day in set(pairs)
        if operator_id is not None and day is not None
    ]
    if rows:
        OperatorDayDirty.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["operator", "date"],
            update_fields=["marked_at"],
        )


def operator_days_fold_dirty(*, today: date | None = None) -> int:
    """Rebuild every marked day (one aggregate query per marked date, for the
    operators marked on it) and remove the marks it took; a mark made again
    while this ran stays for the next round. Today's marks are dropped: today
    is read live. Returns the number of marks folded in."""
    today = today or timezone.localdate()
    marks = list(OperatorDayDirty.objects.values_list("pk", "operator_id", "date", "marked_at"))
    by_date: dict[date, set[int]] = {}
    for _pk, operator_id, day, _marked in marks:
        by_date.setdefault(day, set()).add(operator_id)
    for day, operator_ids in sorted(by_date.items()):
        if day < today:
            operator_days_build(start=day, end=day, operator_ids=operator_ids, today=today)
    for pk, _operator_id, _day, marked in marks:
        OperatorDayDirty.objects.filter(pk=pk, marked_at=marked).delete()
    return len(marks)


# Signals: a call's change marks the days it touched -----------------------------


def _call_day(operator_id, started_at):
    if operator_id is None or started_at is None:
        return None
    return (operator_id, timezone.localdate(started_at))


def call_pre_save(sender, instance, raw=False, **kwargs):
    """Remember the call's stored operator and start: a correction that moves
    it to another day or operator changes two days."""
    if raw or instance.pk is None:
        instance._kpi_before = None
        return
    before = Call.objects.filter(pk=instance.pk).values_list("operator_id", "started_at").first()
    instance._kpi_before = _call_day(*before) if before else None


def call_post_save(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    pairs = [_call_day(instance.operator_id, instance.started_at)]
    pairs.append(getattr(instance, "_kpi_before", None))
    today = timezone.localdate()
    mark_dirty(p for p in pairs if p is not None and p[1] < today)


def call_post_delete(sender, instance, **kwargs):
    pair = _call_day(instance.operator_id, instance.started_at)
    if pair is not None and pair[1] < timezone.localdate():
        mark_dirty([pair])
