"""Message slips at a year's volume: at scale 1, 200,000 slips for 500 recipients
(staff of the `directory` data set, each with a log-in), taken by 10 operators.

Slips follow the desk's year: the same office-hours spread every day, popular
recipients get many more (Zipf-like weights), one in ten is for a department
(its head is told), one in seven also goes to the person's cover. Everything
older than three days is done; of the last three days' slips, most are still
open (new, delivered or acknowledged), and half of those the recipient has not
opened yet: the board holds about a thousand open slips.

Scenario `message_inbox`: a recipient's "My messages" (the busiest recipients
and some ordinary ones), the unread badge, and the operator's open board (the
page and its polled rows): p95_ms over all of them, each kind's p95, and
queries_per_request. Written with bulk_create (no history, no timeline rows:
the measured pages read neither).
"""

import random
import statistics
from bisect import bisect_right
from datetime import timedelta
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from bench.core import (
    Context,
    Request,
    client_for,
    dataset,
    latency_figures,
    measure_requests,
    percentile,
    scenario,
)
from directory.models import Department, Staff
from messages_app.models import (
    DeliveryAttempt,
    MessageSlip,
    Mood,
    Notification,
    RecipientRole,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
    Urgency,
)
from switchboard.roles import OPERATOR

FULL_SLIPS = 200_000
FULL_RECIPIENTS = 500
OPERATORS = 10
DAYS = 365
OPEN_DAYS = 3
BATCH = 5_000
USER_PREFIX = "bench-slips-"
SAMPLES = 60  # per kind of request
BUSY_RECIPIENTS = 5
ORDINARY_RECIPIENTS = 5

URGENCIES = [(Urgency.LOW, 15), (Urgency.NORMAL, 60), (Urgency.HIGH, 18), (Urgency.URGENT, 7)]
MOODS = [(Mood.CALM, 70), (Mood.HURRIED, 15), (Mood.UPSET, 10), (Mood.CONFUSED, 5)]
OPEN_STATES = [
    (SlipStatus.NEW, 20),
    (SlipStatus.DELIVERED, 35),
    (SlipStatus.ACKNOWLEDGED, 30),
    (SlipStatus.DONE, 15),
]
MESSAGES = [
    "Mohon telepon balik soal faktur bulan lalu.",
    "Minta konfirmasi jadwal pengiriman minggu depan.",
    "Menanyakan status pembayaran invoice.",
    "Ingin membuat janji temu untuk presentasi produk.",
    "Please call back about the purchase order.",
    "Asked whether the contract draft is ready.",
    "Klaim garansi untuk unit yang rusak, mohon segera dihubungi.",
    "Follow up penawaran harga yang dikirim kemarin.",
]
NAMES = ["Pak Joko", "Ibu Sari", "Bapak Hendra", "Ibu Dewi", "Mr. Tan", "Pak Agus", "Bu Rina"]
COMPANIES = ["PT Maju Jaya", "CV Sentosa", "PT Nusantara Abadi", "", "", "PT Mitra Karya"]


def _tables() -> list[str]:
    models = [DeliveryAttempt, Notification, SlipEvent, SlipRecipient, MessageSlip]
    return [m._meta.db_table for m in models] + [MessageSlip.history.model._meta.db_table]


def _pick(rng, pairs, k):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs], k=k)


def _users(recipients: list[Staff]) -> list[int]:
    """A log-in for each recipient (linked to their Staff record) and the
    operators who took the slips."""
    from switchboard.roles import ensure_roles

    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    if not Group.objects.filter(name=OPERATOR).exists():
        ensure_roles()
    password = make_password(None)
    people = [User(username=f"{USER_PREFIX}r-{s.pk:06d}", password=password) for s in recipients]
    operators = [User(username=f"{USER_PREFIX}op-{i:02d}", password=password) for i in range(10)]
    User.objects.bulk_create(people + operators)
    by_name = dict(
        User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk")
    )
    for staff in recipients:
        staff.user_id = by_name[f"{USER_PREFIX}r-{staff.pk:06d}"]
    Staff.objects.bulk_update(recipients, ["user"], batch_size=BATCH)
    operator_ids = [by_name[f"{USER_PREFIX}op-{i:02d}"] for i in range(10)]
    through = User.groups.through
    group = Group.objects.get(name=OPERATOR)
    through.objects.bulk_create([through(user_id=pk, group_id=group.pk) for pk in operator_ids])
    return operator_ids


@dataset("slips", version=1, tables=_tables, needs=("directory",))
def build_slips(ctx: Context) -> dict:
    rng = random.Random(ctx.seed + 300)
    n_slips = ctx.scaled(FULL_SLIPS, minimum=100)
    n_recipients = ctx.scaled(FULL_RECIPIENTS, minimum=6)
    now = timezone.now().replace(microsecond=0)

    staff = list(Staff.objects.filter(active=True).order_by("pk")[: n_recipients * 3])
    recipients = rng.sample(staff, min(n_recipients, len(staff)))
    operator_ids = _users(recipients)
    # Covers among the recipients, and a head for each recipient's department.
    for person in recipients:
        person.cover_id = rng.choice(recipients).pk
        if person.cover_id == person.pk:
            person.cover_id = None
    Staff.objects.bulk_update(recipients, ["cover"], batch_size=BATCH)
    departments = sorted({p.department_id for p in recipients})
    heads = {}
    for dept_id in departments:
        heads[dept_id] = rng.choice([p for p in recipients if p.department_id == dept_id])
    Department.objects.bulk_update(
        [Department(pk=d, head_id=h.pk) for d, h in heads.items()], ["head"], batch_size=BATCH
    )

    weights = list(accumulate(1 / (rank**0.8) for rank in range(1, len(recipients) + 1)))
    numbers = [PhoneNumber.from_string(f"+62812{7000000 + i:07d}") for i in range(2_000)]
    start = now - timedelta(days=DAYS)
    span = (now - start).total_seconds()
    open_since = now - timedelta(days=OPEN_DAYS)

    slips, copies = [], []
    n_open = 0
    for i in range(n_slips):
        # Sorted through the year; office hours by the minute of the day.
        at = start + timedelta(seconds=span * (i + rng.random()) / n_slips)
        at = timezone.localtime(at).replace(hour=8 + rng.randrange(9), minute=rng.randrange(60))
        if at > now:
            at = now - timedelta(minutes=rng.randrange(1, 60))
        person = recipients[bisect_right(weights, rng.random() * weights[-1])]
        department = rng.random() < 0.1
        status = SlipStatus.DONE
        if at >= open_since:
            status = _pick(rng, OPEN_STATES, 1)[0]
        urgency = _pick(rng, URGENCIES, 1)[0]
        due = at + timedelta(minutes={"urgent": 10, "high": 30, "normal": 240}.get(urgency, 1440))
        number = rng.choice(numbers) if rng.random() < 0.85 else ""
        slip = MessageSlip(
            for_staff=None if department else person,
            for_department_id=person.department_id if department else None,
            caller_name=rng.choice(NAMES),
            caller_company=rng.choice(COMPANIES),
            caller_number=number,
            callback_number=number,
            message=rng.choice(MESSAGES),
            urgency=urgency,
            mood=_pick(rng, MOODS, 1)[0],
            taken_by_id=rng.choice(operator_ids),
            created_at=at,
            status=status,
            due_at=due,
            next_escalation_at=due if status in (SlipStatus.NEW, SlipStatus.DELIVERED) else None,
            delivered_at=at + timedelta(seconds=5) if status != SlipStatus.NEW else None,
            acknowledged_at=at + timedelta(minutes=20)
            if status in (SlipStatus.ACKNOWLEDGED, SlipStatus.DONE)
            else None,
            done_at=at + timedelta(hours=3) if status == SlipStatus.DONE else None,
        )
        is_open = status != SlipStatus.DONE
        n_open += is_open
        read = None if is_open and rng.random() < 0.5 else at + timedelta(minutes=15)
        told = heads[person.department_id] if department else person
        role = RecipientRole.HEAD if department else RecipientRole.ADDRESSEE
        copy = [(told.pk, role, read)]
        if not department and person.cover_id and rng.random() < 1 / 7:
            copy.append((person.cover_id, RecipientRole.COVER, read))
        slips.append(slip)
        copies.append((at, copy))
        if len(slips) >= BATCH:
            _write(slips, copies)
            slips, copies = [], []
    _write(slips, copies)
    return {
        "n_slips": n_slips,
        "n_recipients": len(recipients),
        "n_open": n_open,
        "n_recipient_rows": SlipRecipient.objects.count(),
    }


def _write(slips, copies) -> None:
    if not slips:
        return
    MessageSlip.objects.bulk_create(slips, batch_size=BATCH)
    SlipRecipient.objects.bulk_create(
        [
            SlipRecipient(slip_id=slip.pk, staff_id=staff_id, role=role, added_at=at, read_at=read)
            for slip, (at, copy) in zip(slips, copies, strict=True)
            for staff_id, role, read in copy
        ],
        batch_size=BATCH,
    )


def _recipient_client(user_id: int) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


@scenario("message_inbox", needs=("slips",))
def message_inbox(ctx: Context) -> dict:
    """A recipient's "My messages", the unread badge and the operator's open
    board (page and polled rows) on 200,000 slips for 500 recipients."""
    samples = ctx.samples or SAMPLES
    busiest = list(
        SlipRecipient.objects.filter(staff__user__username__startswith=USER_PREFIX)
        .values("staff__user_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "staff__user_id")
        .values_list("staff__user_id", flat=True)
    )
    rng = random.Random(ctx.seed + 301)
    chosen = busiest[:BUSY_RECIPIENTS]
    rest = busiest[BUSY_RECIPIENTS:]
    chosen += rng.sample(rest, min(ORDINARY_RECIPIENTS, len(rest)))
    per_user = max(1, samples // len(chosen))

    kinds = {"inbox": [], "badge": [], "board": [], "board_rows": []}
    counts = []
    inbox, badge = reverse("messages_app:slip-mine"), reverse("messages_app:slip-unread")
    for user_id in chosen:
        client = _recipient_client(user_id)
        for kind, url in (("inbox", inbox), ("badge", badge)):
            figures = measure_requests(client, [Request(url)] * per_user, view_ms=kinds[kind])
            counts.append(figures["queries_per_request"])
    desk = client_for(OPERATOR, username=f"{USER_PREFIX}op-00")
    board = reverse("messages_app:slip-board")
    rows = {}

    def check(request, response):
        rows[bool(request.headers)] = response.content.count(b"<tr data-slip-row")

    figures = measure_requests(
        desk, [Request(board)] * samples, view_ms=kinds["board"], check=check
    )
    counts.append(figures["queries_per_request"])
    hello = figures["hello_p50_ms"]
    figures = measure_requests(
        desk,
        [Request(board, headers={"HTTP_HX_REQUEST": "true"})] * samples,
        view_ms=kinds["board_rows"],
        check=check,
    )
    counts.append(figures["queries_per_request"])
    everything = [ms for values in kinds.values() for ms in values]
    result = latency_figures(everything, [hello], counts)
    data = ctx.datasets["slips"]
    return {
        **result,
        **{f"p95_ms_{kind}": percentile(values, 95) for kind, values in kinds.items()},
        **{f"p50_ms_{kind}": statistics.median(values) for kind, values in kinds.items()},
        "board_rows_shown": rows.get(False, 0),
        "n_slips": data["n_slips"],
        "n_recipients": data["n_recipients"],
        "n_open": data["n_open"],
    }
