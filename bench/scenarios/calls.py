"""Call scenarios on a year of calls: the supervisor's call log (filtered first
pages and a deep page), the operator's console POST, and the streamed CSV export."""

import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from bench.core import (
    HELLO_PATH,
    Context,
    Request,
    SQLRecorder,
    client_for,
    latency_figures,
    measure_requests,
    scenario,
)
from bench.data.calls import USER_PREFIX
from calls.forms import parse_phone_number
from calls.models import Call, CallCategory, Caller, Direction, Outcome
from directory.management.commands import seed_demo as demo
from directory.models import Extension, ExtensionKind, InfoEntry, Staff
from switchboard.roles import OPERATOR, SUPERVISOR

LIST_SAMPLES_PER_KIND = 30
CREATES = 200
EXPORT_ROWS = 100_000
EXPORT_RUNS = 3
DEEP_PAGE = 200
ROW_LINK = re.compile(r'href="/calls/\d+/"')
OPERATOR_USERNAME = f"{USER_PREFIX}op-001"


def _data(ctx: Context) -> dict:
    return ctx.datasets["calls"]


def _local_day(value) -> date:
    return timezone.localtime(value).date()


def _span() -> tuple[date, date]:
    """First and last local day with calls."""
    first = Call.objects.order_by("started_at").values_list("started_at", flat=True).first()
    last = Call.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    return _local_day(first), _local_day(last)


def _range(first: date, last: date) -> dict:
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


# ---------------------------------------------------------------------- call log


def log_requests(ctx: Context, per_kind: int) -> list[tuple[str, Request]]:
    """(kind, request) pairs: the first page of the log for each filter
    combination, newest first, with seeded values, and a deep page of the whole year."""
    rng = random.Random(ctx.seed + 2)
    url = reverse("calls:call-list")
    first, last = _span()
    year = _range(first, last)
    operators = list(
        get_user_model()
        .objects.filter(username__startswith=f"{USER_PREFIX}op-")
        .values_list("pk", flat=True)
    )
    categories = list(CallCategory.objects.values_list("pk", flat=True))
    departments = list(
        Call.objects.filter(asked_for_department__isnull=False)
        .order_by()
        .values_list("asked_for_department_id", flat=True)
        .distinct()[:100]
    )
    outcomes = [o.value for o in Outcome]
    days = (last - first).days

    def week() -> dict:
        start = first + timedelta(days=rng.randrange(max(1, days - 6)))
        return _range(start, min(last, start + timedelta(days=6)))

    kinds = {
        "none": lambda: {},  # the page as first opened: today's calls
        "year": lambda: dict(year),
        "operator": lambda: {**year, "operator": rng.choice(operators)},
        "outcome": lambda: {**year, "outcome": rng.choice(outcomes)},
        "direction_week": lambda: {**week(), "direction": rng.choice(list(Direction)).value},
        "category": lambda: {**year, "category": rng.choice(categories)},
        "department": lambda: {**year, "department": rng.choice(departments)},
        "deep_page": lambda: {**year, "page": min(DEEP_PAGE, max(2, _pages(ctx) - 1))},
    }
    pairs = [
        (kind, Request(url, {k: str(v) for k, v in make().items()}))
        for _ in range(per_kind)
        for kind, make in kinds.items()
    ]
    rng.shuffle(pairs)
    return pairs


def _pages(ctx: Context) -> int:
    from calls.tables import PER_PAGE

    return _data(ctx)["n_calls"] // PER_PAGE


@scenario("call_log_list", needs=("calls",))
def call_log_list(ctx: Context) -> dict:
    """Call log: GET calls:call-list as a supervisor on 1,000,000 calls, first page
    of 8 filter combinations (today; year; operator, outcome, category, department
    over the year; direction over a week) and page 200 of the year, newest first."""
    per_kind = max(1, (ctx.samples or LIST_SAMPLES_PER_KIND * 8) // 8)
    pairs = log_requests(ctx, per_kind)
    rows: dict[str, list[int]] = {}

    def check(request, response):
        kind = next(k for k, r in pairs if r is request)
        rows.setdefault(kind, []).append(len(ROW_LINK.findall(response.content.decode())))

    requests = [r for _, r in pairs]
    view_ms: list[float] = []
    figures = measure_requests(client_for(SUPERVISOR), requests, check=check, view_ms=view_ms)
    per_kind_ms = _per_kind_p50(pairs, view_ms)
    data = _data(ctx)
    return {
        **figures,
        **per_kind_ms,
        "rows_on_first_pages_min": min(min(v) for k, v in rows.items() if k != "none"),
        "rows_on_deep_page": min(rows["deep_page"]),
        "n_calls": data["n_calls"],
        "n_callers": data["n_callers"],
    }


def _per_kind_p50(pairs, view_ms: list[float]) -> dict:
    """p50 per filter combination, from the measured pass."""
    times: dict[str, list[float]] = {}
    for (kind, _request), ms in zip(pairs, view_ms, strict=True):
        times.setdefault(kind, []).append(ms)
    return {f"p50_ms_{kind}": statistics.median(v) for kind, v in sorted(times.items())}


# ---------------------------------------------------------------------- console


def _valid(number: str) -> bool:
    try:
        parse_phone_number(number)
    except Exception:  # noqa: BLE001 - ValidationError: not a number the form takes
        return False
    return True


def console_posts(ctx: Context, n: int) -> list[dict]:
    """n console submissions as an operator sends them: repeat callers (national
    format), new numbers and withheld ones; transfers, answers, messages,
    complaints and outgoing calls, with the ids the console search fills in."""
    rng = random.Random(ctx.seed + 3)
    top = Caller.objects.order_by("-call_count").values_list("number", flat=True)[:300]
    known = [number.as_e164 for number in top if _valid(number.as_e164)]
    existing = {n.as_e164 for n in Caller.objects.values_list("number", flat=True)}
    staff = list(
        Staff.objects.filter(active=True, calls_asked_for__isnull=False)
        .values_list("pk", "department_id")
        .distinct()[:200]
        or Staff.objects.filter(active=True).values_list("pk", "department_id")[:200]
    )
    desks = dict(
        Extension.objects.filter(kind=ExtensionKind.DESK, staff_id__in=[s for s, _ in staff])
        .order_by("pk")
        .values_list("staff_id", "pk")
    )
    staff = [s for s in staff if s[0] in desks]
    categories = list(CallCategory.objects.filter(active=True).values_list("pk", flat=True))
    infos = list(InfoEntry.objects.filter(active=True).values_list("pk", flat=True)[:100])
    posts = []
    for i in range(n):
        roll = rng.random()
        number = ""
        if roll < 0.7 and known:
            e164 = rng.choice(known)
            number = "0" + e164[3:]  # as the operator types it: 0812…
        elif roll < 0.9:
            while True:
                e164 = demo.make_mobile(rng)
                if e164 not in existing and _valid(e164):
                    existing.add(e164)
                    break
            number = e164
        person = demo.make_person(rng)
        staff_id, department_id = rng.choice(staff)
        data = {
            "direction": Direction.INCOMING.value,
            "started_at": rng.randint(15, 400),  # seconds on the timer, stamped at POST
            "number": number,
            "caller_name": person.full_name,
            "caller_company": f"PT Bench {i % 17}" if rng.random() < 0.6 else "",
            "caller_kind": rng.choice(["customer", "vendor", "prospect", "unknown"]),
            "category": rng.choice(categories) if rng.random() < 0.7 else "",
            "purpose": "",
            "notes": "",
        }
        if not number:
            data["withheld"] = "on"
        kind = rng.choices(
            ["transfer", "answer", "message", "complaint", "out"], [55, 15, 15, 5, 10]
        )[0]
        if kind == "transfer":
            data.update(
                outcome=Outcome.TRANSFERRED.value,
                asked_for_staff=staff_id,
                transferred_to=desks[staff_id],
            )
        elif kind == "answer":
            data.update(
                outcome=Outcome.ANSWERED.value, info_entry=rng.choice(infos) if infos else ""
            )
        elif kind in ("message", "complaint"):
            data.update(
                outcome=Outcome.MESSAGE.value if kind == "message" else Outcome.COMPLAINT.value,
                asked_for_staff=staff_id,
                purpose="Mohon telepon balik, soal tagihan bulan lalu",
            )
        else:
            data.update(
                direction=Direction.OUTGOING.value,
                outcome=rng.choice([Outcome.CONNECTED.value, Outcome.NO_ANSWER.value]),
                requested_by=staff_id,
                is_personal="on" if rng.random() < 0.1 else "",
                asked_for_department=department_id,
            )
            if not number:
                data.pop("withheld")
                data["number"] = "0" + rng.choice(known)[3:] if known else "02155501234"
        posts.append(data)
    return posts


@scenario("call_create", needs=("calls",))
def call_create(ctx: Context) -> dict:
    """Console: POST calls:console (htmx, as the console sends it) as an operator,
    200 varied calls with 1,000,000 stored; each commits. The created calls, new
    callers and the counts of known callers are put back afterwards."""
    n = ctx.samples or CREATES
    posts = console_posts(ctx, n)
    client = client_for(OPERATOR, username=OPERATOR_USERNAME)
    headers = {"HTTP_HX_REQUEST": "true"}
    url = reverse("calls:console")
    last_call = Call.objects.aggregate(m=Max("pk"))["m"] or 0
    last_caller = Caller.objects.aggregate(m=Max("pk"))["m"] or 0
    numbers = {parse_phone_number(p["number"]) for p in posts if p["number"]}
    snapshot = list(
        Caller.objects.filter(number__in=numbers, pk__lte=last_caller).values(
            "pk", "name", "company", "kind", "first_call_at", "last_call_at", "call_count"
        )
    )
    view_ms, hello_ms, queries = [], [], []
    try:
        client.get(url)  # warm-up: the console page, templates, form querysets
        client.get(HELLO_PATH, **headers)
        for data in posts:
            # The console's timer: started_at is when the operator picked up.
            began = timezone.now() - timedelta(seconds=data["started_at"])
            data = {**data, "started_at": began.isoformat()}  # as console.js sends it
            recorder = SQLRecorder()
            with connection.execute_wrapper(recorder):
                started = time.perf_counter_ns()
                response = client.post(url, data, **headers)
                view_ms.append((time.perf_counter_ns() - started) / 1e6)
            if response.status_code != 200:
                errors = re.findall(
                    r'data-error-for="([^"]+)"[^>]*>([^<]+)', response.content.decode()
                )
                raise RuntimeError(f"POST {url} {data} -> {response.status_code} {errors[:3]}")
            queries.append(len(recorder.statements))
            started = time.perf_counter_ns()
            client.get(HELLO_PATH, **headers)
            hello_ms.append((time.perf_counter_ns() - started) / 1e6)
        created = Call.objects.filter(pk__gt=last_call).count()
    finally:
        _clean_up(last_call, last_caller, snapshot)
    if created != n:
        raise RuntimeError(f"{n} POSTs created {created} calls")
    data = _data(ctx)
    return {
        **latency_figures(view_ms, hello_ms, queries),
        # The answer lists the operator's day: it grows with every call logged.
        "p50_ms_first_quarter": statistics.median(view_ms[: max(1, n // 4)]),
        "p50_ms_last_quarter": statistics.median(view_ms[-max(1, n // 4) :]),
        "n_calls": data["n_calls"],
        "calls_after": Call.objects.count(),
    }


def _clean_up(last_call: int, last_caller: int, snapshot: list[dict]):
    """Remove what the POSTs wrote, so the data set stays as generated."""
    # The console's "message taken" slips and complaints (messages_app).
    from messages_app.models import Complaint, MessageSlip, ReferenceCounter

    slips = MessageSlip.objects.filter(call_id__gt=last_call)
    MessageSlip.history.model.objects.filter(call_id__gt=last_call).delete()
    slips.delete()  # their recipients, timeline and notifications with them
    complaints = Complaint.objects.filter(call_id__gt=last_call)
    years = set(complaints.values_list("year", flat=True))
    Complaint.history.model.objects.filter(call_id__gt=last_call).delete()
    complaints.delete()  # their timeline and notifications with them
    for year in years:  # references stay gap-free: the counter goes back too
        last = Complaint.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0
        ReferenceCounter.objects.filter(year=year).update(last=last)
    created = Call.objects.filter(pk__gt=last_call)
    Call.history.model.objects.filter(id__gt=last_call).delete()
    created.delete()
    Caller.objects.filter(pk__gt=last_caller).delete()
    for row in snapshot:
        pk = row.pop("pk")
        Caller.objects.filter(pk=pk).update(**row)


# ----------------------------------------------------------------------- export


def export_range(target: int) -> tuple[dict, int]:
    """The filter (whole local days ending yesterday, or the last day with calls)
    that selects about `target` live calls, and how many it selects."""
    first, last = _span()
    end = min(last, timezone.localdate() - timedelta(days=1))
    end = max(end, first)
    per_day = dict(
        Call.objects.live()
        .filter(started_at__lt=timezone.now())
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    total, day = 0, end
    while day >= first and total < target:
        total += per_day.get(day, 0)
        day -= timedelta(days=1)
    return _range(day + timedelta(days=1), end), total


def _consume(response, started_ns: int) -> dict:
    """Read the streamed body: time to the first chunk, to the first data row, total."""
    first = first_row = None
    size = lines = 0
    for chunk in response.streaming_content:
        now = time.perf_counter_ns()
        if first is None:
            first = now
        lines += chunk.count(b"\n")
        if first_row is None and lines > 1:
            first_row = now
        size += len(chunk)
    end = time.perf_counter_ns()
    return {
        "ttfb_ms": ((first or end) - started_ns) / 1e6,
        "first_row_ms": ((first_row or end) - started_ns) / 1e6,
        "total_s": (end - started_ns) / 1e9,
        "bytes": size,
        "rows": lines - 1,
    }


def run_export(client, params: dict) -> dict:
    url = reverse("calls:call-export", kwargs={"fmt": "csv"})
    started = time.perf_counter_ns()
    response = client.get(url, params)
    if response.status_code != 200 or not response.streaming:
        raise RuntimeError(f"GET {url} {params} -> {response.status_code}")
    return _consume(response, started)


def _rss_kb() -> int:
    """Current resident set size (Linux /proc), in KB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _maxrss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_probe(params: dict, small: dict) -> dict:
    """In a fresh process (the parent's high-water mark says nothing): warm up on
    a small export, then the peak RSS growth (getrusage ru_maxrss) over the full one."""
    client = client_for(SUPERVISOR)
    run_export(client, small)
    gc.collect()
    before = _maxrss_kb()
    rss_before = _rss_kb()
    result = run_export(client, params)
    after = _maxrss_kb()
    return {
        "peak_rss_mb": max(0, after - before) / 1024,
        "rss_baseline_mb": rss_before / 1024,
        "probe_total_s": result["total_s"],
        "probe_rows": result["rows"],
    }


def _probe_in_subprocess(params: dict, small: dict) -> dict:
    code = (
        "import json, sys, django; django.setup()\n"
        "from django.test.utils import override_settings\n"
        "from bench.scenarios.calls import memory_probe\n"
        "args = json.loads(sys.argv[1])\n"
        "with override_settings(ROOT_URLCONF='bench.urls'):\n"
        "    print(json.dumps(memory_probe(*args)))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, json.dumps([params, small])],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=os.getcwd(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _probe_in_process(client, params: dict) -> dict:
    """Inside a test transaction a subprocess cannot see the data: Python-heap peak
    (tracemalloc) and sampled VmRSS growth in this process instead."""
    gc.collect()
    rss_before = _rss_kb()
    tracemalloc.start()
    try:
        run_export(client, params)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "peak_rss_mb": max(0, _rss_kb() - rss_before) / 1024,
        "python_heap_peak_mb": peak / 2**20,
        "rss_baseline_mb": rss_before / 1024,
    }


@scenario("call_export_csv", needs=("calls",))
def call_export_csv(ctx: Context) -> dict:
    """CSV export: GET calls:call-export/csv as a supervisor for the whole days
    that hold ~100,000 calls, streamed: first chunk, first data row, total time,
    peak RSS growth (fresh process, ru_maxrss) of the export."""
    target = ctx.scaled(EXPORT_ROWS, minimum=50)
    params, expected = export_range(target)
    client = client_for(SUPERVISOR)
    runs = [run_export(client, params) for _ in range(max(1, min(ctx.samples or EXPORT_RUNS, 5)))]
    if any(r["rows"] != expected for r in runs):
        raise RuntimeError(f"export gave {runs[0]['rows']} rows, expected {expected}")
    last = date.fromisoformat(params["date_to"])
    small = _range(last, last)
    if connection.in_atomic_block:
        memory = {
            "memory_method": "in-process VmRSS + tracemalloc",
            **_probe_in_process(client, params),
        }
    else:
        memory = {"memory_method": "subprocess ru_maxrss", **_probe_in_subprocess(params, small)}
    best = min(runs, key=lambda r: r["total_s"])
    return {
        "rows": expected,
        "bytes": best["bytes"],
        "runs": len(runs),
        "ttfb_ms": statistics.median(r["ttfb_ms"] for r in runs),
        "first_row_ms": statistics.median(r["first_row_ms"] for r in runs),
        "first_row_ms_max": max(r["first_row_ms"] for r in runs),
        "total_s": statistics.median(r["total_s"] for r in runs),
        "total_s_max": max(r["total_s"] for r in runs),
        "rows_per_s": expected / statistics.median(r["total_s"] for r in runs),
        **memory,
        "date_from": params["date_from"],
        "date_to": params["date_to"],
        "n_calls": _data(ctx)["n_calls"],
    }
