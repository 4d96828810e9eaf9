"""Complaints at two years' volume: at scale 1, 1,000,000 complaints over the
730 days up to the moment of generation, routed to 20 departments of the
`directory` data set, from ~100,000 customers (repeat customers Zipf-like),
in 12 categories and 30 products, recorded by 20 operators.

Complaints follow office hours and the working week. Everything older than a
month is closed (a few resolved, awaiting the customer's word); the last
month's are in every state, many assigned to one of their department's
handlers, some overdue; a few of the last days' are still unrouted. Deadlines
are four hours to acknowledge and five days to resolve (on the clock: the
measured pages read them, they do not compute them). Each row carries its
reference (gap-free per year) and the folded search text the services write
(services.complaints.complaint_search_text).

Written with COPY on PostgreSQL (the trigram index is dropped for the load
and built again after it, as migration 0005 defines it), executemany on
SQLite; no history and no timeline rows (the measured pages read neither).

Scenario `complaint_list`: the supervisor's complaint list (the default view,
six filter combinations, a keyword search and a deep page), and a
department's queue as its staff member sees it: p50_ms, p95_ms (overall and
per kind), queries_per_request, ratio_to_sql (against the bare SQL of the
same requests, replayed in the same run), and how many times faster than
django-helpdesk's figures at a million tickets each case is. The report page
(a year of counts by category and product) is timed on its own
(p50_ms_report, p95_ms_report): it aggregates half the table.
"""

import random
import statistics
import time
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.urls import reverse

from bench.core import (
    Context,
    Request,
    analyze,
    client_for,
    dataset,
    latency_figures,
    measure_requests,
    percentile,
    scenario,
)
from bench.data.calls import _fast_load, _write
from directory.management.commands import seed_demo as demo
from directory.models import Staff
from directory.text import search_key
from messages_app.models import Complaint, ComplaintCategory, ComplaintStatus, Product
from messages_app.services.complaints import format_reference
from messages_app.tables import COUNT_CAP, PER_PAGE
from switchboard.phones import phone_display
from switchboard.roles import OPERATOR, SUPERVISOR

FULL_COMPLAINTS = 1_000_000
FULL_CUSTOMERS = 100_000
DEPARTMENTS = 20
HANDLERS = 12  # per department: the people complaints are assigned to
OPERATORS = 20
DAYS = 730
OPEN_DAYS = 30
CHUNK = 50_000
USER_PREFIX = "bench-complaints-"
SUPERVISOR_USERNAME = f"{USER_PREFIX}supervisor"
QUEUE_USERNAME = f"{USER_PREFIX}staff"
SAMPLES_PER_KIND = 30
DEEP_PAGE = COUNT_CAP // PER_PAGE  # the deepest page the list serves
TRGM_INDEX = (
    "CREATE INDEX IF NOT EXISTS complaint_search_trgm "
    "ON messages_app_complaint USING gin (search_text gin_trgm_ops)"
)

# django-helpdesk's ticket list at 1,000,000 tickets on this kind of machine
# (issue 8): the default view, a keyword search, a deep page. We aim to be at
# least a hundred times faster at each.
HELPDESK_MS = {"default": 2_500, "keyword": 5_000, "deep_page": 10_600}

CATEGORIES = [
    "Tagihan", "Pelayanan", "Pengiriman", "Garansi", "Produk rusak", "Pembayaran",
    "Kartu", "Aplikasi", "Petugas", "Pengembalian dana", "Promo", "Lain-lain",
]  # fmt: skip
PRODUCTS = [
    "Kartu Kredit Gold", "Kartu Kredit Platinum", "Tabungan Nusa", "Tabungan Pelajar",
    "Deposito", "KPR Rumah", "KTA", "Asuransi Jiwa", "Asuransi Mobil", "NS-100", "NS-220",
    "NS-350", "NS-900", "Nusa Lite", "Nusa Max", "Nusa Pro", "Sejahtera Pro", "Mobile Banking",
    "Internet Banking", "ATM", "EDC", "QRIS", "Paylater", "Reksa Dana", "Emas Digital",
    "Giro", "Valas", "Transfer Internasional", "Kartu Debit", "E-Wallet",
]  # fmt: skip
PROBLEMS = [
    "Tagihan {product} dobel bulan ini, mohon dikoreksi",
    "Pengiriman {product} terlambat {n} hari dari jadwal",
    "{product} rusak saat diterima, minta penggantian",
    "Klaim garansi {product} ditolak tanpa alasan jelas",
    "Petugas cabang tidak ramah saat melayani soal {product}",
    "Saldo terpotong {n} kali untuk transaksi {product}",
    "Aplikasi error setiap membuka menu {product}",
    "Pengembalian dana {product} belum diterima setelah {n} minggu",
    "Promo {product} tidak berlaku padahal syarat terpenuhi",
    "Nomor referensi transaksi {product} tidak ditemukan",
    "Double charge on {product}, please refund",
    "{product} delivery is {n} days late",
]  # fmt: skip
SEVERITIES = [("low", 25), ("medium", 50), ("high", 20), ("critical", 5)]
OPEN_STATES = [
    (ComplaintStatus.ROUTED, 25), (ComplaintStatus.ACKNOWLEDGED, 20),
    (ComplaintStatus.IN_PROGRESS, 20), (ComplaintStatus.RESOLVED, 15),
    (ComplaintStatus.CLOSED, 15), (ComplaintStatus.REOPENED, 5),
]  # fmt: skip
# Local hour 0-23 and weekday Monday-Sunday weights: complaints come in office hours.
HOUR_WEIGHTS = [
    0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.30, 1.00, 1.50, 1.60, 1.30,
    0.70, 1.10, 1.40, 1.20, 0.80, 0.30, 0.10, 0.05, 0.03, 0.02, 0.01, 0.01,
]  # fmt: skip
DAY_WEIGHTS = [1.10, 1.00, 1.00, 1.00, 0.90, 0.20, 0.05]
COLUMNS = [
    "reference", "year", "number", "customer_name", "customer_number", "customer_email",
    "category_id", "product_id", "description", "severity", "department_id",
    "route_override_reason", "assigned_to_id", "status", "language", "created_by_id",
    "created_at", "acknowledge_due_at", "resolve_due_at", "acknowledged_at", "resolved_at",
    "closed_at", "escalation_level", "search_text", "version",
]  # fmt: skip
STAMPED = (
    "created_at", "acknowledge_due_at", "resolve_due_at", "acknowledged_at", "resolved_at",
    "closed_at",
)  # fmt: skip


def _tables() -> list[str]:
    models = [Complaint, ComplaintCategory, Product]
    return [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in models]


def _pick(rng, pairs):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _moments(rng: random.Random, n: int, end: datetime) -> list[datetime]:
    """n sorted moments over the last DAYS days, in office hours."""
    tz = ZoneInfo(settings.TIME_ZONE)
    hour = (end.astimezone(tz) - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
    starts, weights = [], []
    while hour < end:
        starts.append(hour)
        weights.append(HOUR_WEIGHTS[hour.hour] * DAY_WEIGHTS[hour.weekday()])
        hour = (hour + timedelta(hours=1)).astimezone(tz)
    cum = list(accumulate(weights))
    moments = []
    for _ in range(n):
        slot = min(bisect_right(cum, rng.random() * cum[-1]), len(starts) - 1)
        moments.append(min(end, starts[slot] + timedelta(seconds=int(rng.random() * 3600))))
    moments.sort()
    return moments


def _users(queue_person: Staff) -> list[int]:
    """The operators who record complaints, the supervisor, and the log-in of
    a department's staff member (for the queue)."""
    from switchboard.roles import ensure_roles

    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    if Group.objects.filter(name__in=[OPERATOR, SUPERVISOR]).count() != 2:
        ensure_roles()
    password = make_password(None)
    names = [f"{USER_PREFIX}op-{i:02d}" for i in range(OPERATORS)]
    User.objects.bulk_create(
        [User(username=name, password=password) for name in names]
        + [User(username=SUPERVISOR_USERNAME, password=password)]
        + [User(username=QUEUE_USERNAME, password=password)]
    )
    by_name = dict(
        User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk")
    )
    through = User.groups.through
    operator_group = Group.objects.get(name=OPERATOR)
    supervisor_group = Group.objects.get(name=SUPERVISOR)
    through.objects.bulk_create(
        [through(user_id=by_name[name], group_id=operator_group.pk) for name in names]
        + [through(user_id=by_name[SUPERVISOR_USERNAME], group_id=supervisor_group.pk)]
    )
    Staff.objects.filter(user_id=by_name[QUEUE_USERNAME]).update(user=None)
    Staff.objects.filter(pk=queue_person.pk).update(user_id=by_name[QUEUE_USERNAME])
    return [by_name[name] for name in names]


def _customers(rng: random.Random, n: int) -> list[tuple[str, str, str, str]]:
    """(name, E.164, national digits as the search text holds them, e-mail)."""
    seen, pool = set(), []
    while len(pool) < n:
        number = (
            demo.make_mobile(rng)
            if rng.random() < 0.8
            else f"+6221{rng.randrange(2 * 10**7, 10**8)}"
        )
        if number in seen:
            continue
        seen.add(number)
        name = demo.make_person(rng).full_name
        national = "".join(ch for ch in phone_display(number) if ch.isdigit())
        email = f"{demo.email_local(name)}{len(pool)}@example.co.id" if rng.random() < 0.3 else ""
        pool.append((name, number, national if national != number.lstrip("+") else "", email))
    return pool


@dataset("complaints", version=1, tables=_tables, needs=("directory",))
def build_complaints(ctx: Context) -> dict:
    rng = random.Random(ctx.seed + 800)
    clock = time.perf_counter()
    n = ctx.scaled(FULL_COMPLAINTS, minimum=300)
    n_customers = ctx.scaled(FULL_CUSTOMERS, minimum=30)
    end = datetime.now(UTC).replace(microsecond=0)
    fast = _fast_load()

    # Departments with enough people; a few handlers each.
    with_staff = list(
        Staff.objects.filter(active=True)
        .order_by("department_id")
        .values_list("department_id", flat=True)
        .distinct()
    )
    departments = sorted(rng.sample(with_staff, min(DEPARTMENTS, len(with_staff))))
    handlers: dict[int, list[int]] = {}
    for person in Staff.objects.filter(department_id__in=departments, active=True).order_by("pk"):
        team = handlers.setdefault(person.department_id, [])
        if len(team) < HANDLERS:
            team.append(person.pk)
    queue_department = departments[0]
    queue_person = Staff.objects.get(pk=handlers[queue_department][0])
    operator_ids = _users(queue_person)

    categories = ComplaintCategory.objects.bulk_create(
        [ComplaintCategory(name=name, position=i) for i, name in enumerate(CATEGORIES)]
    )
    products = Product.objects.bulk_create([Product(name=name) for name in PRODUCTS])
    category_cum = list(accumulate(1 / (rank**0.8) for rank in range(1, len(categories) + 1)))
    product_cum = list(accumulate(1 / (rank**0.9) for rank in range(1, len(products) + 1)))
    department_cum = list(accumulate(rng.uniform(0.3, 1.0) for _ in departments))
    pool = _customers(rng, n_customers)
    customer_cum = list(accumulate(1 / (rank**0.7) for rank in range(1, len(pool) + 1)))
    setup_s = time.perf_counter() - clock

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS complaint_search_trgm")
    moments = _moments(rng, n, end)
    open_since = end - timedelta(days=OPEN_DAYS)
    numbers: dict[int, int] = {}
    rows, n_open, n_unrouted = [], 0, 0
    random_ = rng.random
    for i, created in enumerate(moments):
        year = created.astimezone(ZoneInfo(settings.TIME_ZONE)).year
        number = numbers[year] = numbers.get(year, 0) + 1
        reference = format_reference(year, number)
        name, e164, national, email = pool[
            min(bisect_right(customer_cum, random_() * customer_cum[-1]), len(pool) - 1)
        ]
        category = categories[
            min(bisect_right(category_cum, random_() * category_cum[-1]), len(categories) - 1)
        ]
        product = products[
            min(bisect_right(product_cum, random_() * product_cum[-1]), len(products) - 1)
        ]
        description = PROBLEMS[int(random_() * len(PROBLEMS))].format(
            product=product.name, n=2 + int(random_() * 12)
        )
        department = departments[
            min(bisect_right(department_cum, random_() * department_cum[-1]), len(departments) - 1)
        ]
        ack_due, resolve_due = created + timedelta(hours=4), created + timedelta(days=5)
        acknowledged = resolved = closed = None
        assigned = None
        if created < open_since:
            status = ComplaintStatus.CLOSED if random_() < 0.97 else ComplaintStatus.RESOLVED
        elif created > end - timedelta(days=3) and random_() < 0.02:
            status, department, n_unrouted = ComplaintStatus.NEW, None, n_unrouted + 1
        else:
            status = _pick(rng, OPEN_STATES)
        if status not in (ComplaintStatus.NEW, ComplaintStatus.ROUTED):
            acknowledged = created + timedelta(minutes=30 + int(random_() * 600))
            if random_() < 0.7:
                assigned = rng.choice(handlers[department])
        if status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
            resolved = acknowledged + timedelta(hours=2 + int(random_() * 100))
        if status == ComplaintStatus.CLOSED:
            closed = resolved + timedelta(hours=1 + int(random_() * 48))
        n_open += status not in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
        # As services.complaints.complaint_search_text writes it.
        search_text = search_key(reference, name, e164, national, description)
        rows.append(
            (
                reference, year, number, name, e164, email, category.pk, product.pk,
                description, _pick(rng, SEVERITIES), department, "", assigned, status, "id",
                rng.choice(operator_ids), _utc(created), _utc(ack_due), _utc(resolve_due),
                _utc(acknowledged), _utc(resolved), _utc(closed), 0, search_text, 1,
            )
        )  # fmt: skip
        if len(rows) == CHUNK or i == n - 1:
            _write(Complaint._meta.db_table, COLUMNS, rows, utc_columns=STAMPED)
            rows = []
    load_s = time.perf_counter() - clock - setup_s
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(TRGM_INDEX)
    User = get_user_model()
    analyze([User._meta.db_table, User.groups.through._meta.db_table, Staff._meta.db_table])
    return {
        "n_complaints": n,
        "n_customers": len(pool),
        "n_departments": len(departments),
        "n_open": n_open,
        "n_unrouted": n_unrouted,
        "queue_department": queue_department,
        "setup_s": round(setup_s, 1),
        "load_s": round(load_s, 1),
        "index_s": round(time.perf_counter() - clock - setup_s - load_s, 1),
    }


# The scenario ----------------------------------------------------------------


def _data(ctx: Context) -> dict:
    return ctx.datasets["complaints"]


def list_requests(ctx: Context, per_kind: int) -> list[tuple[str, Request]]:
    """(kind, request) pairs for the supervisor's list, shuffled: the default
    view, six filter combinations, keyword searches and the deepest page."""
    rng = random.Random(ctx.seed + 801)
    url = reverse("messages_app:complaint-list")
    departments = list(
        Complaint.objects.filter(department__isnull=False)
        .order_by()
        .values_list("department_id", flat=True)
        .distinct()
    )
    categories = list(ComplaintCategory.objects.values_list("pk", flat=True))
    products = list(Product.objects.values_list("pk", flat=True))
    last = Complaint.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    span = Complaint.objects.aggregate(first=Min("pk"), last=Max("pk"))
    ids = range(span["first"], span["last"] + 1)
    picked = rng.sample(ids, min(500, len(ids)))
    sample = list(
        Complaint.objects.filter(pk__in=picked)
        .order_by("pk")
        .values_list("reference", "customer_name", "customer_number")
    )
    words = ["garansi", "terlambat", "dobel", "refund", "aplikasi error", "saldo terpotong"]

    def quarter() -> dict:
        start = last - timedelta(days=rng.randrange(90, 700))
        return {
            "date_from": start.date().isoformat(),
            "date_to": (start + timedelta(90)).date().isoformat(),
        }

    def keyword() -> dict:
        reference, name, number = rng.choice(sample)
        kind = rng.randrange(4)
        if kind == 0:
            return {"q": reference}
        if kind == 1:
            return {"q": name}
        if kind == 2 and number:
            return {"q": "0" + str(number)[3:]}  # as the operator types it: 0812…
        return {"q": rng.choice(words)}

    kinds = {
        "default": lambda: {},
        "open": lambda: {"status": "open"},
        "department_open": lambda: {"department": rng.choice(departments), "status": "open"},
        "categories_quarter": lambda: {"category": rng.sample(categories, 2), **quarter()},
        "product_severity": lambda: {
            "product": rng.choice(products),
            "severity": ["high", "critical"],
        },
        "overdue": lambda: {"overdue": "on"},
        "unassigned_departments": lambda: {
            "assigned_to": "none",
            "department": rng.sample(departments, 2),
            "status": "open",
        },
        "keyword": keyword,
        "deep_page": lambda: {"page": DEEP_PAGE},
    }
    pairs = [(kind, Request(url, make())) for _ in range(per_kind) for kind, make in kinds.items()]
    rng.shuffle(pairs)
    return pairs


ROW = b'<tr data-complaint-id="'


@scenario("complaint_list", needs=("complaints",))
def complaint_list(ctx: Context) -> dict:
    """Complaint list: GET messages_app:complaint-list as a supervisor on
    1,000,000 complaints (default view, six filter combinations, keyword
    searches, page 200), and a department's queue as its staff member."""
    per_kind = max(1, (ctx.samples or SAMPLES_PER_KIND * 10) // 10)
    pairs = list_requests(ctx, per_kind)
    rows: dict[str, list[int]] = {}

    def check(request, response):
        kind = next(k for k, r in pairs if r is request)
        rows.setdefault(kind, []).append(response.content.count(ROW))

    requests = [r for _, r in pairs]
    view_ms: list[float] = []
    supervisor = client_for(SUPERVISOR, username=SUPERVISOR_USERNAME)
    figures = measure_requests(supervisor, requests, check=check, view_ms=view_ms)
    times: dict[str, list[float]] = {}
    for (kind, _request), ms in zip(pairs, view_ms, strict=True):
        times.setdefault(kind, []).append(ms)

    queue = get_user_model().objects.get(username=QUEUE_USERNAME)
    staff_client = Client()
    staff_client.force_login(queue)
    queue_ms: list[float] = []
    queue_figures = measure_requests(
        staff_client,
        [Request(reverse("messages_app:complaint-queue"))] * per_kind,
        view_ms=queue_ms,
    )
    times["queue"] = queue_ms
    # The report (a year by month, one GROUP BY): its own figures, not in the list's.
    report_ms: list[float] = []
    report = measure_requests(
        supervisor,
        [Request(reverse("messages_app:complaint-report"))] * max(1, per_kind // 3),
        view_ms=report_ms,
    )
    everything = view_ms + queue_ms
    counts = [figures["queries_per_request"], queue_figures["queries_per_request"]]
    overall = latency_figures(everything, [figures["hello_p50_ms"]], counts)
    sql_p50 = statistics.median([figures["sql_p50_ms"], queue_figures["sql_p50_ms"]])
    result = {
        **overall,
        "ratio_to_sql": figures["ratio_to_sql"],
        "ratio_to_sql_queue": queue_figures["ratio_to_sql"],
        "sql_p50_ms": sql_p50,
        "queries_per_request_list": figures["queries_per_request"],
        "queries_per_request_queue": queue_figures["queries_per_request"],
    }
    for kind, values in sorted(times.items()):
        result[f"p50_ms_{kind}"] = statistics.median(values)
        result[f"p95_ms_{kind}"] = percentile(values, 95)
    result["p50_ms_report"] = statistics.median(report_ms)
    result["p95_ms_report"] = percentile(report_ms, 95)
    result["queries_per_request_report"] = report["queries_per_request"]
    # django-helpdesk's figures are single timings of a request, like our
    # median; our slow tail (p95) is set beside them as well.
    for kind, helpdesk in HELPDESK_MS.items():
        result[f"times_faster_than_helpdesk_{kind}"] = helpdesk / result[f"p50_ms_{kind}"]
        result[f"times_faster_than_helpdesk_{kind}_at_p95"] = helpdesk / result[f"p95_ms_{kind}"]
    data = _data(ctx)
    return {
        **result,
        "rows_on_default_page": min(rows["default"]),
        "rows_on_deep_page": min(rows["deep_page"]),
        "n_complaints": data["n_complaints"],
        "n_open": data["n_open"],
    }
