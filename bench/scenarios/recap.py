"""The daily recap's build (the `recap` data set: 100 days of 10,000 calls at
scale 1, and the last day's slips, complaints, attendance of 50 operators,
reviews and incidents).

Scenario `daily_recap`: build the last day's recap through
reports.services.recap.recap_build, as the nightly job does: `build_s` (the
median of BUILDS builds, each writing the row: the figures are made to
differ), `queries` (statements of one build), `ratio_to_sql` (the build's
time over the time of its SQL alone, replayed through a plain cursor) and
the day's size. Goal: under 1 s and under 20 queries.

Scenario `recap_backfill`: build the recap of each of the 100 days, oldest
first (as `manage.py build_recap --from --to` does), then all again:
`total_s` (the first pass), `changed_on_second_run` (recaps the second pass
wrote: 0, the figures being the same) and `second_run_s`. Goal: under 30 s.
"""

import statistics
import time
from datetime import date, timedelta

from django.db import connection

from bench.core import Context, SQLRecorder, replay, scenario
from reports.models import DailyRecap
from reports.services.recap import recap_build

BUILDS = 5


def _fresh(day: date):
    """Make the stored figures differ, so the next build writes its row."""
    DailyRecap.objects.filter(date=day).update(figures={})


@scenario("daily_recap", needs=("recap",))
def daily_recap(ctx: Context) -> dict:
    """The recap build of one day of 10,000 calls, with messages, complaints,
    attendance for 50 operators and reviews."""
    data = ctx.datasets["recap"]
    day = date.fromisoformat(data["last_day"])
    recap_build(day=day)  # warm the caches and the planner
    times = []
    for _ in range(ctx.samples or BUILDS):
        _fresh(day)
        started = time.perf_counter()
        recap_build(day=day)
        times.append(time.perf_counter() - started)
    _fresh(day)
    recorder = SQLRecorder()
    with connection.execute_wrapper(recorder):
        started = time.perf_counter()
        recap = recap_build(day=day)
        recorded_ms = (time.perf_counter() - started) * 1000
    statements = [s for s in recorder.statements if not s[0].startswith(("SAVEPOINT", "RELEASE"))]
    # Replay the reads only: the writes would insert a second history row.
    reads = [s for s in statements if s[0].lstrip().upper().startswith("SELECT")]
    sql_ms = statistics.median(replay(reads) for _ in range(3))
    return {
        "build_s": statistics.median(times),
        "queries": len(statements),
        "ratio_to_sql": recorded_ms / sql_ms if sql_ms else 0.0,
        "sql_ms": sql_ms,
        "calls_that_day": recap.figures["calls"]["total"],
        "messages_that_day": recap.figures["messages"]["taken"],
        "complaints_that_day": recap.figures["complaints"]["opened"],
        "attendance_that_day": data["n_attendance"],
        "reviews_that_day": recap.figures["quality"]["reviews"],
    }


@scenario("recap_backfill", needs=("recap",))
def recap_backfill(ctx: Context) -> dict:
    """Backfill: the recaps of 100 days of 1,000,000 calls, then the same again."""
    data = ctx.datasets["recap"]
    first = date.fromisoformat(data["first_day"])
    days = [first + timedelta(days=i) for i in range(data["days"])]
    DailyRecap.objects.filter(date__range=(days[0], days[-1])).delete()
    started = time.perf_counter()
    for day in days:
        recap_build(day=day)
    total_s = time.perf_counter() - started
    started = time.perf_counter()
    changed = sum(1 for day in days if recap_build(day=day).changed)
    second_s = time.perf_counter() - started
    return {
        "total_s": total_s,
        "per_day_ms": total_s * 1000 / len(days),
        "second_run_s": second_s,
        "changed_on_second_run": changed,
        "days": len(days),
        "n_calls": data["n_calls"],
    }
