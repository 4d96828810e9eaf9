"""The outbox scenario: a backlog of pending notifications (the broker was down)
sent by two sweeps at once, through the in-memory e-mail backend."""

import threading
import time
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import override_settings

from bench.core import Context, scenario
from directory.models import Staff
from messages_app.models import Channel, DeliveryAttempt, MessageSlip, Notification
from messages_app.notifications import sweep

FULL_NOTIFICATIONS = 10_000
SLIPS = 200
BATCH = 2_000
USERNAME = "bench-outbox-operator"
# The backlog is due at this (fixed) time, and the sweeps run at it: so they send
# this scenario's notifications and no other data set's.
DUE = datetime(2000, 1, 3, 2, 0, tzinfo=UTC)


def _slips(ctx: Context) -> list[MessageSlip]:
    """The scenario's slips, kept from run to run (one per staff member)."""
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    slips = list(MessageSlip.objects.filter(taken_by=user).order_by("pk"))
    want = min(SLIPS, ctx.scaled(SLIPS, minimum=2))
    if len(slips) < want:
        staff = list(Staff.objects.exclude(email="").order_by("pk")[: want - len(slips)])
        MessageSlip.objects.bulk_create(
            MessageSlip(
                for_staff=person,
                caller_name=f"Penelepon {i}",
                caller_number=f"+62812{5000000 + i:07d}",
                message=f"Mohon telepon balik soal pesanan nomor {i} & konfirmasi jadwal.",
                taken_by=user,
                created_at=DUE,
            )
            for i, person in enumerate(staff)
        )
        slips = list(MessageSlip.objects.filter(taken_by=user).order_by("pk"))
    return slips[:want]


def _backlog(slips: list[MessageSlip], n: int) -> None:
    """n e-mail notifications due at DUE, spread over the slips (earlier runs'
    removed first)."""
    Notification.objects.filter(slip__in=slips).delete()
    rows = [
        Notification(
            kind="slip",
            channel=Channel.EMAIL,
            slip=slip,
            recipient_id=slip.for_staff_id,
            address=f"penerima{i}@example.co.id",
            language="id" if i % 3 else "en",
            created_at=DUE,
            next_attempt_at=DUE,
        )
        for i, slip in ((i, slips[i % len(slips)]) for i in range(n))
    ]
    Notification.objects.bulk_create(rows, batch_size=BATCH)


def _sweeper(counts: list[int], errors: list[BaseException], barrier):
    """One sweep process: sweeps until nothing is due, counting its queries."""

    def run():
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        try:
            barrier.wait()
            with connection.execute_wrapper(count):
                while sweep(now=DUE, limit=FULL_NOTIFICATIONS * 10):
                    pass
        except BaseException as exc:  # reported by the scenario
            errors.append(exc)
        finally:
            counts.append(len(queries))
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    return run


@scenario("notification_sweep", needs=("directory",))
def notification_sweep(ctx: Context) -> dict:
    """10,000 pending e-mail notifications swept by two sweeps at once (threads with
    their own connections on PostgreSQL; one on SQLite or inside a test transaction):
    per_s, and sent_twice (duplicate Message-IDs: must be 0)."""
    n = ctx.scaled(FULL_NOTIFICATIONS, minimum=20)
    slips = _slips(ctx)
    _backlog(slips, n)
    # Threads need committed data and a database that takes two writers.
    threads = 2 if connection.vendor == "postgresql" and not connection.in_atomic_block else 1
    counts, errors = [], []
    barrier = threading.Barrier(threads)
    saved_outbox = getattr(mail, "outbox", None)
    mail.outbox = []
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            started = time.perf_counter()
            if threads == 1:
                _sweeper(counts, errors, barrier)()
            else:
                workers = [
                    threading.Thread(target=_sweeper(counts, errors, barrier))
                    for _ in range(threads)
                ]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
            seconds = time.perf_counter() - started
        if errors:
            raise errors[0]
        ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    finally:
        if saved_outbox is None:
            del mail.outbox
        else:
            mail.outbox = saved_outbox
    mine = Notification.objects.filter(slip__in=slips)
    figures = {
        "notifications": n,
        "threads": threads,
        "seconds": seconds,
        "per_s": n / seconds if seconds else 0.0,
        "sent": len(ids),
        "sent_twice": len(ids) - len(set(ids)),
        "unsent_after": mine.filter(sent_at__isnull=True).count(),
        "attempts_recorded": DeliveryAttempt.objects.filter(notification__in=mine).count(),
        "queries_per_notification": sum(counts) / n,
    }
    mine.delete()
    return figures
