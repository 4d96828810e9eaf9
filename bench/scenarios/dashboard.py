"""The supervisor's dashboard on a busy day: the `dashboard` data set
(1,000,000 calls over a year, 10,000 more today, eight weeks of DailyRecaps,
today's attendance, open incidents and slips).

Scenario `dashboard`, as the supervisor: the full page and the partial the
page polls (HX-Request), alternately: p50_ms, p95_ms (overall and per kind),
queries_per_request (the most of any request: it must not grow with the
data), ratio_to_hello, ratio_to_sql, and `raw_call_days_read`: the widest
span of started_at any statement on the call log asks for, in days (today's
calls only: at most 1).
"""

import statistics
from datetime import UTC, datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone

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
from bench.data.calls import SUPERVISOR_USERNAME
from bench.data.dashboard import refresh_today
from calls.models import Call
from switchboard.roles import SUPERVISOR

SAMPLES = 60
FIGURE = b'data-figure="calls-today">'


@scenario("dashboard", needs=("dashboard",))
def dashboard(ctx: Context) -> dict:
    """Dashboard: the supervisor's page and its polled partial, with 1,000,000
    calls stored and 10,000 of them today."""
    data = ctx.datasets["dashboard"]
    if data["today"] != timezone.localdate().isoformat():
        ctx.log("  the data set's today is past: writing today's calls again …")
        data = {**data, **refresh_today(ctx)}
    samples = ctx.samples or SAMPLES
    path = reverse("reports:dashboard")
    page = [Request(path) for _ in range(samples // 2)]
    partial = [Request(path, headers={"HTTP_HX_REQUEST": "true"}) for _ in range(samples // 2)]
    supervisor = client_for(SUPERVISOR, username=SUPERVISOR_USERNAME)
    today_counts: list[int] = []

    def check(request, response):
        body = response.content
        at = body.find(FIGURE)
        if at >= 0:
            end = body.find(b"<", at + len(FIGURE))
            today_counts.append(int(body[at + len(FIGURE) : end]))

    recorder = SQLRecorder()
    with connection.execute_wrapper(recorder):
        supervisor.get(path)
    call_table = f'"{Call._meta.db_table}"'
    call_statements = [s for s, _p, _m in recorder.statements if call_table in s]
    widest = 0.0
    for sql, params, _many in recorder.statements:
        if call_table not in sql or not params:
            continue
        stamps = [p for p in params if isinstance(p, datetime)]
        if len(stamps) >= 2:
            span = (max(stamps) - min(stamps)).total_seconds() / 86400
            widest = max(widest, span)

    page_ms: list[float] = []
    full = measure_requests(supervisor, page, check=check, view_ms=page_ms)
    partial_ms: list[float] = []
    polled = measure_requests(supervisor, partial, check=check, view_ms=partial_ms)
    overall = latency_figures(
        page_ms + partial_ms,
        [full["hello_p50_ms"], polled["hello_p50_ms"]],
        [full["queries_per_request"], polled["queries_per_request"]],
    )
    sql_p50 = statistics.median([full["sql_p50_ms"], polled["sql_p50_ms"]])
    return {
        **overall,
        "sql_p50_ms": sql_p50,
        "ratio_to_sql": overall["p50_ms"] / sql_p50 if sql_p50 else 0.0,
        "p50_ms_page": statistics.median(page_ms),
        "p95_ms_page": percentile(page_ms, 95),
        "p50_ms_partial": statistics.median(partial_ms),
        "p95_ms_partial": percentile(partial_ms, 95),
        "queries_per_request_page": full["queries_per_request"],
        "queries_per_request_partial": polled["queries_per_request"],
        "call_log_statements": len(call_statements),
        "raw_call_days_read": round(widest, 3),
        "calls_today_shown": min(today_counts) if today_counts else 0,
        "n_today": data["n_today"],
        "n_recaps": data["n_recaps"],
        "n_calls": ctx.datasets["calls"]["n_calls"],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
