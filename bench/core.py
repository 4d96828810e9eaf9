"""The benchmark machinery: registries, data-set markers, timing and the floors.

A scenario is ``fn(ctx: Context) -> dict`` registered with ``@scenario``. It names
the data sets it needs; ``run_scenario`` makes sure they exist at the requested
scale, then calls it with the bench urlconf in place. Scenario functions take their
sizes from ``ctx`` so a test can run them on a tiny data set in the test database.
"""

import importlib
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings

BENCH_URLCONF = "bench.urls"
HELLO_PATH = "/bench/hello"
MARKER_TABLE = "bench_dataset"
DEFAULT_SEED = 20250817


@dataclass
class Context:
    """What a scenario may vary: data scale, random seed and, for tests, the number
    of measured requests (None means the scenario's own default)."""

    scale: float = 1.0
    seed: int = DEFAULT_SEED
    samples: int | None = None
    rebuild: bool = False
    verbose: bool = False
    datasets: dict[str, dict] = field(default_factory=dict)

    def scaled(self, full_size: int, minimum: int = 1) -> int:
        return max(minimum, round(full_size * self.scale))

    def log(self, message: str):
        if self.verbose:
            print(message, flush=True)


@dataclass(frozen=True)
class Dataset:
    name: str
    version: int
    build: Callable[[Context], dict]
    tables: Callable[[], list[str]]  # emptied before a rebuild
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    fn: Callable[[Context], dict]
    needs: tuple[str, ...]
    doc: str


DATASETS: dict[str, Dataset] = {}
SCENARIOS: dict[str, Scenario] = {}
MODULES = ["bench.data", "bench.scenarios"]


def dataset(name: str, *, version: int, tables: Callable[[], list[str]], needs=()):
    """Register a data-set builder ``build(ctx) -> summary dict``. Bump `version`
    whenever the generated data changes, so stored data sets are rebuilt."""

    def register(build):
        DATASETS[name] = Dataset(name, version, build, tables, tuple(needs))
        return build

    return register


def scenario(name: str, *, needs=()):
    """Register a scenario ``fn(ctx) -> {figure: value}`` that needs data sets."""

    def register(fn):
        SCENARIOS[name] = Scenario(name, fn, tuple(needs), (fn.__doc__ or "").strip())
        return fn

    return register


def load():
    for module in MODULES:
        importlib.import_module(module)


# ---------------------------------------------------------------------- data sets


def _marker_table():
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} ("
            "name VARCHAR(100) PRIMARY KEY, version INTEGER NOT NULL, "
            "scale VARCHAR(40) NOT NULL, summary TEXT NOT NULL)"
        )


def _marker(name: str):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version, scale, summary FROM {MARKER_TABLE} WHERE name = %s",  # noqa: S608
            [name],
        )
        return cursor.fetchone()


def _dependents(name: str) -> list[str]:
    """Data sets built on top of `name`, directly or further up."""
    found = [d.name for d in DATASETS.values() if name in d.needs]
    for child in list(found):
        found.extend(n for n in _dependents(child) if n not in found)
    return found


def _empty_tables(tables: list[str]):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(qn(t) for t in tables)
            # Rows written earlier in the same transaction (a test) leave deferred
            # foreign-key checks pending, and TRUNCATE refuses to run past them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            # SQLite checks (deferred) foreign keys at commit, when all are gone.
            for table in tables:
                cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608


def analyze(tables: list[str]):
    """Fresh planner statistics after a bulk load. On PostgreSQL outside a
    transaction, VACUUM also folds the GIN indexes' pending lists into the index."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in tables:
                cursor.execute(f"{verb} {qn(table)}")
        else:
            cursor.execute("ANALYZE")


def ensure_dataset(name: str, ctx: Context) -> dict:
    """Build data set `name` at ctx.scale unless it is already there; returns its
    summary. Rebuilding empties its tables and those of the data sets on top of it."""
    spec = DATASETS[name]
    for need in spec.needs:
        ensure_dataset(need, ctx)
    _marker_table()
    row = _marker(name)
    if row and not ctx.rebuild and row[0] == spec.version and row[1] == repr(ctx.scale):
        summary = json.loads(row[2])
        ctx.datasets[name] = summary
        return summary
    ctx.log(f"  generating data set {name!r} at scale {ctx.scale} …")
    started = time.perf_counter()
    dependents = _dependents(name)
    tables = [t for d in [name, *dependents] for t in DATASETS[d].tables()]
    with transaction.atomic():
        _empty_tables(tables)
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * (1 + len(dependents)))
            cursor.execute(
                f"DELETE FROM {MARKER_TABLE} WHERE name IN ({placeholders})",  # noqa: S608
                [name, *dependents],
            )
        summary = spec.build(ctx)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} (name, version, scale, summary) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [name, spec.version, repr(ctx.scale), json.dumps(summary)],
            )
    analyze(spec.tables())
    ctx.log(f"  … {summary} in {time.perf_counter() - started:.1f} s")
    ctx.datasets[name] = summary
    return summary


# ------------------------------------------------------------------------ running


def run_scenario(name: str, ctx: Context | None = None) -> dict:
    """Make sure the scenario's data exists, then run it; returns its figures."""
    load()
    ctx = ctx or Context()
    spec = SCENARIOS[name]
    for need in spec.needs:
        ensure_dataset(need, ctx)
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        figures = spec.fn(ctx)
    return {"engine": connection.vendor, **figures}


def client_for(role: str, username: str | None = None) -> Client:
    """A test client logged in (session in the database) as a user with `role`."""
    from switchboard.roles import ensure_roles

    if not Group.objects.filter(name=role).exists():
        ensure_roles()
    username = username or f"bench-{role.lower().replace(' ', '-')}"
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.set([Group.objects.get(name=role)])
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Request:
    path: str
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)  # WSGI style, e.g. HTTP_HX_REQUEST


class SQLRecorder:
    """Records every statement the ORM sends (SQL, parameters, many) for replay."""

    def __init__(self):
        self.statements: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def replay(statements) -> float:
    """Run the recorded statements through a plain cursor, fetching every row, as
    the ORM would; returns the elapsed milliseconds."""
    connection.ensure_connection()
    started = time.perf_counter_ns()
    with connection.cursor() as cursor:
        for sql, params, many in statements:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter_ns() - started) / 1e6


def _get(client: Client, request: Request):
    response = client.get(request.path, request.params, **request.headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {request.path} {request.params} -> {response.status_code}")
    return response


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (pct 0-100)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_figures(view_ms: list[float], hello_ms: list[float], counts: list[int]) -> dict:
    """The figures every request scenario reports: latency of the view, its query
    count, and the hello-world floor (H) measured alongside."""
    p50, hello_p50 = statistics.median(view_ms), statistics.median(hello_ms)
    return {
        "requests": len(view_ms),
        "p50_ms": p50,
        "p95_ms": percentile(view_ms, 95),
        "mean_ms": statistics.fmean(view_ms),
        "max_ms": max(view_ms),
        "queries_per_request": max(counts),
        "queries_per_request_mean": statistics.fmean(counts),
        "hello_p50_ms": hello_p50,
        "ratio_to_hello": p50 / hello_p50 if hello_p50 else 0.0,
    }


def measure_requests(
    client: Client, requests: list[Request], *, check=None, view_ms: list | None = None
) -> dict:
    """Latency of GET `requests` through the full stack, with both floors.

    First pass (also the warm-up): each request once, recording its SQL and query
    count; `check(request, response)` may inspect the answers. Second pass,
    interleaved so that both floors see the same machine load: the request, the
    hello-world view (H) with the same headers, and the replay of that request's
    SQL (S). Read-only requests only: the replay would repeat writes. Each
    request's time is appended to `view_ms` when one is given, in order.
    """
    recorded = []
    for request in requests:
        recorder = SQLRecorder()
        with connection.execute_wrapper(recorder):
            response = _get(client, request)
        if check:
            check(request, response)
        recorded.append(recorder.statements)

    view_ms = [] if view_ms is None else view_ms
    hello_ms, sql_ms = [], []
    for request, statements in zip(requests, recorded, strict=True):
        started = time.perf_counter_ns()
        _get(client, request)
        view_ms.append((time.perf_counter_ns() - started) / 1e6)

        started = time.perf_counter_ns()
        _get(client, Request(HELLO_PATH, headers=request.headers))
        hello_ms.append((time.perf_counter_ns() - started) / 1e6)

        sql_ms.append(replay(statements))

    figures = latency_figures(view_ms, hello_ms, [len(s) for s in recorded])
    sql_p50 = statistics.median(sql_ms)
    return {
        **figures,
        "sql_p50_ms": sql_p50,
        "sql_p95_ms": percentile(sql_ms, 95),
        "ratio_to_sql": figures["p50_ms"] / sql_p50 if sql_p50 else 0.0,
    }


# ------------------------------------------------------------------------ results


def rounded(figures: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def write_results(path: Path, name: str, figures: dict) -> dict:
    """Merge one scenario's figures into the results file; others are kept."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        results = {}
    results[name] = rounded(figures)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return results


def format_table(name: str, figures: dict) -> str:
    rows = [(key, value) for key, value in rounded(figures).items()]
    width = max(len(k) for k, _ in rows)
    lines = [name, "-" * max(len(name), width + 14)]
    for key, value in rows:
        text = f"{value:,}" if isinstance(value, int) else str(value)
        if isinstance(value, float):
            text = f"{value:,.3f}"
        lines.append(f"  {key:<{width}}  {text:>10}")
    return "\n".join(lines)
