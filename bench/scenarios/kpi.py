"""The KPI pages at a year's volume (the `kpi` data set: 100 operators,
1,000,000 calls, 20,000 reviews, the roster and attendance for the year, the
per-day call figures built once).

Scenario `kpi_month`, as the supervisor: the monthly KPI table of every
operator for the last 12 months (each with its 12-month sparklines), and one
operator's KPI sheet (the month and the 12-month trend) for random operators
and months: p50_ms, p95_ms (overall and per page), queries_per_request (per
page), ratio_to_hello and ratio_to_sql, the rows on the table, and
`raw_call_queries_per_request`: statements that read the call log itself
(only today's calls, read live, and only when the month is this one). The
data set's `build_s` (the one build of the year's OperatorDay rows) is
reported alongside.
"""

import random
import statistics

from django.urls import reverse

from bench.core import (
    Context,
    Request,
    SQLRecorder,
    client_for,
    latency_figures,
    measure_requests,
    percentile,
    scenario,
)
from bench.data.calls import SUPERVISOR_USERNAME, USER_PREFIX
from calls.models import Call
from reports.selectors_kpi import add_months, month_start
from switchboard.roles import SUPERVISOR

SAMPLES = 48  # four rounds of the 12 months (this month is read live too)
ROW = b"<tr data-operator="


def _months(today, n=12):
    this = month_start(today)
    return [add_months(this, -i) for i in range(n)]


@scenario("kpi_month", needs=("kpi",))
def kpi_month(ctx: Context) -> dict:
    """KPIs: the monthly table of all operators and one operator's 12-month
    sheet, as the supervisor, on a year of 1,000,000 calls."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.db import connection

    data = ctx.datasets["kpi"]
    today = date.fromisoformat(data["today"])
    rng = random.Random(ctx.seed + 901)
    samples = ctx.samples or SAMPLES
    months = _months(today)
    operators = list(
        get_user_model()
        .objects.filter(username__startswith=f"{USER_PREFIX}op-")
        .values_list("pk", flat=True)
    )
    table_requests = [
        Request(reverse("reports:kpi-month"), {"month": f"{months[i % len(months)]:%Y-%m}"})
        for i in range(samples)
    ]
    sheet_requests = [
        Request(reverse("reports:kpi-sheet", args=[operator, f"{month:%Y-%m}"]))
        for operator, month in ((rng.choice(operators), rng.choice(months)) for _ in range(samples))
    ]
    supervisor = client_for(SUPERVISOR, username=SUPERVISOR_USERNAME)
    rows: list[int] = []
    raw: list[int] = []
    call_table = Call._meta.db_table

    def check(request, response):
        if request.path == reverse("reports:kpi-month"):
            rows.append(response.content.count(ROW))

    def raw_reads(request) -> int:
        recorder = SQLRecorder()
        with connection.execute_wrapper(recorder):
            supervisor.get(request.path, request.params)
        return sum(1 for sql, _p, _m in recorder.statements if f'"{call_table}"' in sql)

    for request in table_requests[:3] + sheet_requests[:3]:
        raw.append(raw_reads(request))

    table_ms: list[float] = []
    table = measure_requests(supervisor, table_requests, check=check, view_ms=table_ms)
    sheet_ms: list[float] = []
    sheet = measure_requests(supervisor, sheet_requests, view_ms=sheet_ms)
    overall = latency_figures(
        table_ms + sheet_ms,
        [table["hello_p50_ms"], sheet["hello_p50_ms"]],
        [table["queries_per_request"], sheet["queries_per_request"]],
    )
    sql_p50 = statistics.median([table["sql_p50_ms"], sheet["sql_p50_ms"]])
    return {
        **overall,
        "sql_p50_ms": sql_p50,
        "ratio_to_sql": overall["p50_ms"] / sql_p50 if sql_p50 else 0.0,
        "p50_ms_table": statistics.median(table_ms),
        "p95_ms_table": percentile(table_ms, 95),
        "p50_ms_sheet": statistics.median(sheet_ms),
        "p95_ms_sheet": percentile(sheet_ms, 95),
        "queries_per_request_table": table["queries_per_request"],
        "queries_per_request_sheet": sheet["queries_per_request"],
        "ratio_to_sql_table": table["ratio_to_sql"],
        "ratio_to_sql_sheet": sheet["ratio_to_sql"],
        "raw_call_queries_per_request": max(raw),
        "rows_on_table": min(rows),
        "build_s": data["build_s"],
        "n_operators": data["n_operators"],
        "n_reviews": data["n_reviews"],
        "n_attendance_days": data["n_attendance_days"],
        "n_operator_days": data["n_operator_days"],
        "n_calls": ctx.datasets["calls"]["n_calls"],
    }
