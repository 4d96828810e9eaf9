"""A year of the desk's calls: at scale 1, 1,000,000 calls over the 365 days up to
the moment of generation, taken by 100 operators, from ~50,000 distinct numbers
(plus withheld ones), asking for 200 popular staff of the `directory` data set,
in 20 categories.

Calls follow Jakarta office hours (peaks 09-11 and 13-15, little at night) and
the working week (Monday busiest, Saturday a quarter, Sunday almost nothing).
Popular callers and popular staff repeat (Zipf-like weights). Each Caller row
carries the call count and first/last call of the generated calls, as
calls.services.call_log would have left it.

Generation is bulk and bypasses the ORM and simple_history: on PostgreSQL COPY
FROM STDIN in chunks (foreign-key triggers off for the load via
session_replication_role where permitted; the generated keys are valid by
construction), on SQLite executemany in the data set's transaction.
"""

import io
import random
import time
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction

from bench.core import Context, analyze, dataset
from calls.models import Call, CallCategory, Caller, CallerKind, Direction, Outcome
from directory.management.commands import seed_demo as demo
from directory.models import Department, Extension, ExtensionKind, InfoEntry, Staff
from switchboard.roles import OPERATOR, SUPERVISOR

FULL_CALLS = 1_000_000
FULL_CALLERS = 50_000
FULL_OPERATORS = 100
FULL_ASKED_FOR = 200
N_CATEGORIES = 20
DAYS = 365
CHUNK = 100_000
USER_PREFIX = "bench-calls-"
SUPERVISOR_USERNAME = f"{USER_PREFIX}supervisor"

# Local (Asia/Jakarta) hour of day 0-23 and weekday Monday-Sunday weights.
HOUR_WEIGHTS = [
    0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.30, 1.00, 1.60, 1.70, 1.40,
    0.80, 1.20, 1.50, 1.30, 0.90, 0.40, 0.15, 0.08, 0.05, 0.03, 0.02, 0.01,
]  # fmt: skip
DAY_WEIGHTS = [1.10, 1.00, 1.00, 1.00, 0.90, 0.25, 0.08]

DIRECTIONS = [(Direction.INCOMING, 85), (Direction.OUTGOING, 10), (Direction.INTERNAL, 5)]
INCOMING_OUTCOMES = [
    (Outcome.TRANSFERRED, 55), (Outcome.ANSWERED, 15), (Outcome.MESSAGE, 12),
    (Outcome.NO_ANSWER, 5), (Outcome.CALL_BACK, 4), (Outcome.COMPLAINT, 3),
    (Outcome.WRONG_NUMBER, 3), (Outcome.NUISANCE, 3),
]  # fmt: skip
OUTGOING_OUTCOMES = [
    (Outcome.CONNECTED, 70), (Outcome.NO_ANSWER, 18), (Outcome.MESSAGE, 6),
    (Outcome.CALL_BACK, 6),
]  # fmt: skip
INTERNAL_OUTCOMES = [(Outcome.TRANSFERRED, 60), (Outcome.ANSWERED, 30), (Outcome.MESSAGE, 10)]
MEAN_SECONDS = {
    Outcome.TRANSFERRED: 35, Outcome.ANSWERED: 110, Outcome.MESSAGE: 150,
    Outcome.COMPLAINT: 320, Outcome.NO_ANSWER: 40, Outcome.WRONG_NUMBER: 15,
    Outcome.NUISANCE: 25, Outcome.CALL_BACK: 60, Outcome.CONNECTED: 180,
}  # fmt: skip
CALLER_KINDS = [
    (CallerKind.CUSTOMER, 45), (CallerKind.PROSPECT, 15), (CallerKind.VENDOR, 15),
    (CallerKind.GUEST, 5), (CallerKind.EMPLOYEE, 5), (CallerKind.UNKNOWN, 15),
]  # fmt: skip
CATEGORIES = [
    "Tagihan", "Pesanan", "Pengiriman", "Garansi", "Keluhan produk", "Lowongan kerja",
    "Penawaran vendor", "Pembayaran", "Informasi produk", "Service center", "Pajak",
    "Kunjungan tamu", "Media", "Bank", "Pemerintah", "Pribadi", "Distributor",
    "Retur barang", "Kerja sama", "Lain-lain",
]  # fmt: skip
COMPANY_WORDS = [
    "Maju", "Jaya", "Sentosa", "Abadi", "Makmur", "Sukses", "Mandiri", "Karya", "Prima",
    "Sejahtera", "Utama", "Nusantara", "Bintang", "Cahaya", "Mitra", "Agung", "Indah",
    "Perkasa", "Lestari", "Gemilang", "Sinar", "Berkah", "Mulia", "Teknik", "Logistik",
]  # fmt: skip
PURPOSES = [
    "Tanya status pesanan", "Konfirmasi pembayaran", "Minta penawaran harga", "Klaim garansi",
    "Jadwal pengiriman", "Tagihan belum diterima", "Melamar kerja", "Janji temu",
    "Follow up proposal", "Minta nomor rekening", "Keluhan pengiriman terlambat",
    "Order status", "Invoice query", "Meeting request", "Returns", "Product information",
]  # fmt: skip
NOTES = [
    "Minta ditelepon balik sebelum jam 3.", "Sudah telepon dua kali hari ini.",
    "Nada bicara kesal, mohon segera ditindaklanjuti.", "Akan mengirim email susulan.",
    "Caller will call again tomorrow.", "Asked for the mobile number; not given.",
]  # fmt: skip


def _tables() -> list[str]:
    models = [Call, Caller, CallCategory]
    tables = [m._meta.db_table for m in models]
    return tables + [m.history.model._meta.db_table for m in (Call, CallCategory)]


def _pick(rng: random.Random, pairs, k: int):
    values = [v for v, _ in pairs]
    return rng.choices(values, [w for _, w in pairs], k=k)


def _zipf_cum(n: int, s: float) -> list[float]:
    return list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def _hour_slots(end: datetime, days: int) -> tuple[list[int], list[float]]:
    """Start (epoch seconds) of every local hour in the window and the cumulative
    weights of those hours; the hour containing `end` is weighted by its elapsed part."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local_end = end.astimezone(tz)
    hour = (local_end - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    starts, weights = [], []
    end_ts = end.timestamp()
    while hour < local_end:
        start = hour.timestamp()
        part = min(1.0, (end_ts - start) / 3600)
        starts.append(int(start))
        weights.append(HOUR_WEIGHTS[hour.hour] * DAY_WEIGHTS[hour.weekday()] * part)
        hour = (hour + timedelta(hours=1)).astimezone(tz)
    return starts, list(accumulate(weights))


def _timestamps(rng: random.Random, n: int, end: datetime) -> list[int]:
    """n call start times (epoch seconds), sorted, last ones just before `end`."""
    starts, cum = _hour_slots(end, DAYS)
    end_ts = int(end.timestamp())
    total = cum[-1]
    stamps = []
    for _ in range(n):
        slot = bisect_right(cum, rng.random() * total)
        slot = min(slot, len(starts) - 1)
        stamps.append(min(end_ts - 1, starts[slot] + int(rng.random() * 3600)))
    stamps.sort()
    return stamps


def _utc(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def _unique_numbers(rng: random.Random, n: int) -> list[str]:
    """E.164 numbers as Indonesian callers have them: mostly mobiles, some landlines."""
    seen: set[str] = set()
    numbers = []
    areas = ["21"] * 6 + ["22", "24", "31", "61", "274", "361", "411"]
    while len(numbers) < n:
        if rng.random() < 0.7:
            number = demo.make_mobile(rng)
        else:
            area = rng.choice(areas)
            digits = 8 if area == "21" else 7
            number = f"+62{area}{rng.randrange(10 ** (digits - 1) * 2, 10**digits)}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


# -------------------------------------------------------------------- writing rows


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _write(table: str, columns: list[str], rows: list[tuple], *, utc_columns=()):
    """Insert `rows` (tuples of plain values, timestamps as naive-UTC strings)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stamp = {columns.index(c) for c in utc_columns}
            buffer = io.StringIO()
            for row in rows:
                buffer.write(
                    "\t".join(
                        f"{v}+00" if i in stamp and v is not None else _copy_value(v)
                        for i, v in enumerate(row)
                    )
                )
                buffer.write("\n")
            buffer.seek(0)
            names = ", ".join(qn(c) for c in columns)
            cursor.copy_expert(f"COPY {qn(table)} ({names}) FROM STDIN", buffer)
        else:
            names = ", ".join(qn(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _fast_load():
    """PostgreSQL: skip the foreign-key triggers for this transaction (superuser)."""
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except Exception:  # noqa: BLE001 - not a superuser: load with the triggers on
        return False


def _reset_sequences(models):
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# ----------------------------------------------------------------------- the build


def _users(n_operators: int):
    """The operators (Operator group) and a supervisor who deleted a few calls."""
    from switchboard.roles import ensure_roles

    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    if not Group.objects.filter(name__in=[OPERATOR, SUPERVISOR]).count() == 2:
        ensure_roles()
    rng = random.Random(7)
    users = [
        User(
            username=f"{USER_PREFIX}op-{i:03d}",
            first_name=demo.make_person(rng).full_name.split()[0],
            password=make_password(None),
        )
        for i in range(1, n_operators + 1)
    ]
    users.append(User(username=SUPERVISOR_USERNAME, password=make_password(None)))
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith=USER_PREFIX).order_by("username"))
    supervisor = next(u for u in users if u.username == SUPERVISOR_USERNAME)
    operators = [u for u in users if u is not supervisor]
    through = User.groups.through
    operator_group = Group.objects.get(name=OPERATOR)
    supervisor_group = Group.objects.get(name=SUPERVISOR)
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=operator_group.pk) for u in operators]
        + [through(user_id=supervisor.pk, group_id=supervisor_group.pk)]
    )
    return [u.pk for u in operators], supervisor.pk


@dataset("calls", version=1, tables=_tables, needs=("directory",))
def build_calls(ctx: Context) -> dict:
    rng = random.Random(ctx.seed + 100)
    clock = time.perf_counter()
    n_calls = ctx.scaled(FULL_CALLS, minimum=200)
    n_pool = ctx.scaled(FULL_CALLERS, minimum=20)
    n_operators = ctx.scaled(FULL_OPERATORS, minimum=3)
    end = datetime.now(UTC).replace(microsecond=0)
    fast = _fast_load()

    operator_ids, supervisor_id = _users(n_operators)

    # Directory: the staff callers ask for, with their department and desk line.
    staff_rows = list(Staff.objects.order_by("pk").values_list("pk", "department_id"))
    asked = rng.sample(staff_rows, min(FULL_ASKED_FOR, len(staff_rows)))
    desks = dict(
        Extension.objects.filter(kind=ExtensionKind.DESK, staff_id__in=[s for s, _ in asked])
        .order_by("pk")
        .values_list("staff_id", "pk")
    )
    departments = list(Department.objects.order_by("pk").values_list("pk", "main_extension_id"))
    info_ids = list(InfoEntry.objects.order_by("pk").values_list("pk", flat=True)[:500])

    categories = [
        CallCategory(
            name=name,
            position=i,
            default_department_id=departments[i % len(departments)][0] if i % 3 == 0 else None,
        )
        for i, name in enumerate(CATEGORIES[:N_CATEGORIES])
    ]
    CallCategory.objects.bulk_create(categories)
    category_ids = [c.pk for c in categories]

    # Callers: a pool of numbers with who the desk heard there.
    numbers = _unique_numbers(rng, n_pool)
    pool = []
    for number in numbers:
        kind = _pick(rng, CALLER_KINDS, 1)[0]
        name = demo.make_person(rng).full_name if rng.random() < 0.85 else ""
        company = (
            ""
            if kind in (CallerKind.EMPLOYEE, CallerKind.GUEST) or rng.random() < 0.2
            else f"PT {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)}"
        )
        pool.append((number, name, company, kind))
    caller_cum = _zipf_cum(n_pool, 0.8)
    staff_cum = _zipf_cum(len(asked), 1.0)
    operator_cum = list(accumulate(rng.uniform(0.3, 1.0) for _ in operator_ids))
    category_cum = _zipf_cum(len(category_ids), 0.7)
    last_category = len(category_ids) - 1
    generation = {"setup_s": time.perf_counter() - clock}

    stamps = _timestamps(rng, n_calls, end)
    directions = _pick(rng, DIRECTIONS, n_calls)
    caller_id_of: dict[int, int] = {}  # pool index -> Caller id (order of first call)
    caller_stats: list[list] = []  # per Caller id - 1: [pool index, first, last, count]
    deleted = 0
    columns = [
        "direction", "started_at", "ended_at", "duration_seconds", "operator_id", "caller_id",
        "number_withheld", "caller_name", "caller_company", "caller_kind", "asked_for_staff_id",
        "asked_for_department_id", "transferred_to_id", "category_id", "purpose", "outcome",
        "info_entry_id", "requested_by_id", "is_personal", "notes", "deleted_at",
        "deleted_by_id", "delete_reason",
    ]  # fmt: skip
    stamped = ("started_at", "ended_at", "deleted_at")
    rows = []
    random_ = rng.random
    for i in range(n_calls):
        direction = directions[i]
        started = stamps[i]
        outcomes = (
            INCOMING_OUTCOMES
            if direction == Direction.INCOMING
            else OUTGOING_OUTCOMES
            if direction == Direction.OUTGOING
            else INTERNAL_OUTCOMES
        )
        outcome = _pick(rng, outcomes, 1)[0]
        duration = max(3, int(rng.expovariate(1 / MEAN_SECONDS[outcome])))
        operator_id = operator_ids[bisect_right(operator_cum, random_() * operator_cum[-1])]

        caller_id = None
        name = company = ""
        kind = CallerKind.EMPLOYEE if direction == Direction.INTERNAL else CallerKind.UNKNOWN
        if direction != Direction.INTERNAL and (
            direction == Direction.OUTGOING or random_() > 0.08  # 8% of incoming withheld
        ):
            p = min(bisect_right(caller_cum, random_() * caller_cum[-1]), n_pool - 1)
            caller_id = caller_id_of.get(p)
            if caller_id is None:
                caller_stats.append([p, started, started, 0])
                caller_id = caller_id_of[p] = len(caller_stats)
            stats = caller_stats[caller_id - 1]
            stats[2] = started
            stats[3] += 1
            _, name, company, kind = pool[p]
            if random_() < 0.1:
                name = ""  # the operator did not catch it this time
        elif direction == Direction.INCOMING:
            kind = CallerKind.UNKNOWN
            name = demo.make_person(rng).full_name if random_() < 0.5 else ""

        staff_id = department_id = extension_id = requested_by = info_id = None
        s = asked[min(bisect_right(staff_cum, random_() * staff_cum[-1]), len(asked) - 1)]
        if direction == Direction.OUTGOING:
            requested_by = s[0]
            department_id = s[1]
        elif outcome in (Outcome.TRANSFERRED, Outcome.MESSAGE, Outcome.NO_ANSWER) or (
            outcome in (Outcome.COMPLAINT, Outcome.CALL_BACK) and random_() < 0.5
        ):
            if random_() < 0.85:
                staff_id, department_id = s
                extension_id = desks.get(staff_id)
            else:
                department_id, extension_id = departments[int(random_() * len(departments))]
            if outcome != Outcome.TRANSFERRED:
                extension_id = None
        elif outcome == Outcome.ANSWERED and random_() < 0.6 and info_ids:
            info_id = info_ids[int(random_() * len(info_ids))]
        category_id = (
            category_ids[
                min(bisect_right(category_cum, random_() * category_cum[-1]), last_category)
            ]
            if random_() < 0.7 and outcome not in (Outcome.WRONG_NUMBER, Outcome.NUISANCE)
            else None
        )
        deleted_at = deleted_by = None
        reason = ""
        if random_() < 0.001:
            deleted_at = _utc(started + duration + 3600)
            deleted_by = supervisor_id
            reason = "Salah input, dicatat dua kali"
            deleted += 1
        rows.append(
            (
                direction,
                _utc(started),
                _utc(started + duration),
                duration,
                operator_id,
                caller_id,
                caller_id is None,
                name,
                company,
                kind,
                staff_id,
                department_id,
                extension_id,
                category_id,
                PURPOSES[int(random_() * len(PURPOSES))] if random_() < 0.6 else "",
                outcome,
                info_id,
                requested_by,
                direction == Direction.OUTGOING and random_() < 0.1,
                NOTES[int(random_() * len(NOTES))] if random_() < 0.1 else "",
                deleted_at,
                deleted_by,
                reason,
            )
        )
        if len(rows) == CHUNK or i == n_calls - 1:
            # Foreign keys are checked at commit (deferred), so callers can come last.
            _write(Call._meta.db_table, columns, rows, utc_columns=stamped)
            rows = []
    generation["calls_s"] = time.perf_counter() - clock - generation["setup_s"]

    load_started = time.perf_counter()
    caller_rows = [
        (
            cid,
            pool[p][0],
            pool[p][1],
            pool[p][2],
            pool[p][3],
            _utc(first),
            _utc(last),
            count,
        )
        for cid, (p, first, last, count) in enumerate(caller_stats, start=1)
    ]
    caller_columns = [
        "id", "number", "name", "company", "kind", "first_call_at", "last_call_at", "call_count",
    ]  # fmt: skip
    stamps_caller = ("first_call_at", "last_call_at")
    for start in range(0, len(caller_rows), CHUNK):
        _write(
            Caller._meta.db_table,
            caller_columns,
            caller_rows[start : start + CHUNK],
            utc_columns=stamps_caller,
        )
    _reset_sequences([Caller])
    generation["callers_s"] = time.perf_counter() - load_started
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    # The harness analyzes the data set's own tables; the users are new here too
    # (stale statistics of ~3 users made the planner loop over operators).
    User = get_user_model()
    analyze([User._meta.db_table, User.groups.through._meta.db_table])
    return {
        "n_calls": n_calls,
        "n_callers": len(caller_stats),
        "n_operators": len(operator_ids),
        "n_asked_for_staff": len(asked),
        "n_categories": len(category_ids),
        "n_deleted": deleted,
        "first_call": _utc(stamps[0]),
        "last_call": _utc(stamps[-1]),
        "fk_triggers_off": fast,
        **{k: round(v, 1) for k, v in generation.items()},
    }
