"""The outbox: writing notifications with what they are about, and sending them.

    notify(kind=NotificationKind.SLIP, slip=slip, staff=[budi])   # in the slip's transaction
    deliver(notification_id)                                     # the task, after commit
    sweep()                                                      # beat: whatever is due again

The database records what is due (Notification.sent_at empty), not the broker:
notify() writes the rows in the caller's transaction and hands their ids to the
worker once it commits; if Redis or the worker is down the rows wait, and the
periodic sweep (every minute) sends them.

Once only. Every send is claimed first: a conditional UPDATE that sets
`claimed_until` (now + CLAIM_SECONDS) on a row that is due and not claimed, and
only one process can win it (deliver() claims one row; sweep() claims a batch in
one UPDATE ... RETURNING, with FOR UPDATE SKIP LOCKED on PostgreSQL so that two
sweeps take different rows instead of waiting for each other). So a duplicated
or retried task, a task racing the sweep, or two sweeps at once send a
notification once. The row is stamped sent (`sent_at`, conditional on it being
unsent) in the same transaction as its DeliveryAttempt and the AFTER_SENT hooks
(the slip becomes "delivered"), so the hooks run exactly once per notification.
A failure is recorded as an attempt and retried with back-off (1, 2, 4 ... 60
minutes) until MAX_ATTEMPTS, then the row gives up (`failed_at`); a refusal no
retry can change (PermanentFailure: a 4xx from the webhook, a mailbox the mail
server says does not exist) gives up at once. A process that dies after its
claim and before sending leaves the claim to run out; the sweep then sends the
row (the claim counted as an attempt, so a row that kills its sender each time
still gives up in the end).

The one window left: the mail server (or webhook receiver) accepted a message
and the process died before the row was stamped sent. After CLAIM_SECONDS the
sweep sends it again: one duplicate, never a loss. The duplicate e-mail carries
the same Message-ID (most mail programs show it once) and the webhook the same
X-Switchboard-Delivery id (a receiver drops what it has seen). A batch stamps
each row as soon as it is sent, so the window is one message wide, not a batch.
"""

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Staff
from messages_app.models import Channel, DeliveryAttempt, Notification, NotificationKind

logger = logging.getLogger(__name__)

# A claim lasts this long: longer than any one send (SMTP timeout, webhook
# timeout), so a live sender is never overtaken; a dead one is, after it.
CLAIM_SECONDS = 300
MAX_ATTEMPTS = 8
# Back-off after a failed attempt n (1-based): 1, 2, 4, ... minutes, at most an hour.
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
# The sweep claims this many rows at a time, and sends at most SWEEP_LIMIT per run.
BATCH_SIZE = 100
SWEEP_LIMIT = 5000
DETAIL_MAX = 500
# What the senders read with the notification (templates, webhook payload).
RELATED = (
    "slip__for_staff",
    "slip__for_department",
    "slip__taken_by",  # the e-mail says who took the message
    "complaint__department",
    "complaint__category",
    "complaint__product",
    "recipient",
)


class PermanentFailure(Exception):
    """A channel's refusal that no retry can change (the webhook answered 400,
    the mail server says the mailbox does not exist): give up at once."""


class TemporaryFailure(Exception):
    """A channel's failure worth trying again (a 5xx, a time-out); its text is
    the attempt's detail. Any other exception is retried too."""


def staff_language(staff: Staff) -> str:
    """The language a person reads their notifications in: their account's, else
    the company default."""
    user = getattr(staff, "user", None)
    preference = getattr(user, "preference", None) if user is not None else None
    return (getattr(preference, "language", "") or "") or settings.LANGUAGE_CODE


def notify(
    *,
    kind: str,
    slip=None,
    complaint=None,
    staff: Iterable[Staff] = (),
    addresses: Iterable[tuple[str, str]] = (),
    now=None,
) -> list[Notification]:
    """Write the notifications of one event and queue them after commit.

    Each person in `staff` gets an e-mail when they have an address; each
    (address, language) in `addresses` one too (a customer, a group mailbox);
    when a webhook is configured (NOTIFY_WEBHOOK_URL) it gets one per person.
    A person or address named twice is told once. Call it inside the
    transaction that writes the slip or complaint, so the rows exist exactly
    when it does; the worker gets their ids when that transaction commits."""
    now = now or timezone.now()
    about = {"slip": slip, "complaint": complaint}
    webhook = getattr(settings, "NOTIFY_WEBHOOK_URL", "")
    rows, people, mailboxes = [], set(), set()

    def add(channel, address, language, recipient=None):
        rows.append(
            Notification(
                kind=kind,
                channel=channel,
                recipient=recipient,
                address=address,
                language=language or settings.LANGUAGE_CODE,
                created_at=now,
                next_attempt_at=now,
                **about,
            )
        )

    for person in staff:
        if person.pk in people:
            continue
        people.add(person.pk)
        language = staff_language(person)
        if person.email and person.email.lower() not in mailboxes:
            mailboxes.add(person.email.lower())
            add(Channel.EMAIL, person.email, language, person)
        if webhook:
            add(Channel.WEBHOOK, webhook, language, person)
    for address, language in addresses:
        if address and address.lower() not in mailboxes:
            mailboxes.add(address.lower())
            add(Channel.EMAIL, address, language)
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: queue(ids))
    return rows


def queue(ids: list[int]) -> None:
    """Hand notifications to the worker. A broker that is down loses nothing:
    the rows stay due and the sweep sends them."""
    from messages_app.tasks import deliver_notification_task  # the task module imports this

    for pk in ids:
        try:
            deliver_notification_task.delay(pk)
        except Exception:
            if deliver_notification_task.app.conf.task_always_eager:
                raise  # in-process: a failure here is the sender's, not the broker's
            logger.warning(
                "notifications %s wait for the sweep: the broker is unreachable",
                ids[ids.index(pk) :],
            )
            return


# Sending ----------------------------------------------------------------------

# Channel -> sender(notification) -> detail text; raises on failure (PermanentFailure
# when no retry can help). Registered by messages_app.delivery (e-mail, webhook).
SENDERS: dict[str, Callable[[Notification], str]] = {}
# Channel -> a context manager the sweep holds around a batch (one SMTP connection
# for all its e-mails, say).
SESSIONS: dict[str, Callable[[], AbstractContextManager]] = {}


def register_sender(
    channel: str,
    sender: Callable[[Notification], str],
    *,
    session: Callable[[], AbstractContextManager] | None = None,
) -> None:
    SENDERS[channel] = sender
    if session is not None:
        SESSIONS[channel] = session


# Hooks run after notifications are sent (their slips become "delivered"):
# callables(notifications, now=...), registered by the services, given every
# notification sent once. A single delivery (the task) runs them in the
# transaction that stamps it sent; a sweep runs them once per batch, after the
# batch, in one transaction, so a hook costs a few statements per batch, not per
# notification (a process that dies between the stamps and the hooks leaves
# those slips "new": still unacknowledged, escalated alike). An error in a hook
# is logged and undone (its savepoint), never a reason to send again.
AFTER_SENT: list[Callable[..., None]] = []


def _clock(now) -> Callable:
    """The time of each step: `now` throughout when the caller gives it (tests),
    else the real time at that step."""
    return (lambda: now) if now is not None else timezone.now


def backoff(attempts: int) -> timedelta:
    """How long to wait after failed attempt number `attempts` (1-based)."""
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


def _due(now) -> Q:
    return Q(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _send_margin() -> float:
    """The longest one send may take: a batch stops this long before its claim
    runs out and gives the rest back, so nobody else takes a row it still holds."""
    longest = max(
        getattr(settings, "EMAIL_TIMEOUT", None) or 10,
        getattr(settings, "NOTIFY_WEBHOOK_TIMEOUT", None) or 10,
    )
    return 2 * float(longest) + 10


def deliver(notification_id: int, *, now=None) -> bool:
    """Send one notification if it is still due; True if this call sent it.

    Claimed first: a conditional UPDATE that only one process can win, so a
    duplicate task or a sweep racing the task sends nothing. A failure records
    the attempt and schedules the next one with back-off, until MAX_ATTEMPTS."""
    clock = _clock(now)
    at = clock()
    claimed = Notification.objects.filter(_due(at), pk=notification_id).update(
        claimed_until=at + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related(*RELATED).get(pk=notification_id)
    return _send(notification, clock)


def _claim_batch(now, size: int) -> list[int]:
    """Claim up to `size` due rows in one statement; the ids this process won.

    UPDATE ... WHERE id IN (the first due rows) RETURNING id. On PostgreSQL the
    inner SELECT locks with SKIP LOCKED: a row another sweep is claiming at this
    moment is skipped rather than waited for, and a row it claimed meanwhile is
    re-checked against the WHERE (no longer due) after the lock. SQLite has one
    writer at a time, so the statement is atomic there as it is."""
    due = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    qn = connection.ops.quote_name
    meta = Notification._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    claimed = qn(meta.get_field("claimed_until").column)
    attempts = qn(meta.get_field("attempts").column)
    until = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=CLAIM_SECONDS))
    with transaction.atomic():  # FOR UPDATE needs one, even for a single statement
        inner, params = due.values("pk")[:size].query.sql_with_params()
        sql = (
            f"UPDATE {table} SET {claimed} = %s, {attempts} = {attempts} + 1 "  # noqa: S608
            f"WHERE {pk} IN ({inner}) RETURNING {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [until, *params])
            return [row[0] for row in cursor.fetchall()]


def sweep(
    *, now=None, limit: int = SWEEP_LIMIT, batch: int = BATCH_SIZE, max_seconds: float = 240
) -> int:
    """Send what is due (never sent, or its retry time has come, or its claim
    ran out); returns how many were sent. Safe to run at any time, in any
    number of processes: each row is claimed before it is sent.

    Claims `batch` rows at a time, at most `limit` in all, and takes no new batch
    after `max_seconds` (what is left waits for the next run)."""
    clock = _clock(now)
    started = time.monotonic()
    sent = taken = 0
    with ExitStack() as sessions:
        opened = set()
        while taken < limit and time.monotonic() - started < max_seconds:
            claim_started = time.monotonic()
            ids = _claim_batch(clock(), min(batch, limit - taken))
            if not ids:
                break
            taken += len(ids)
            rows = list(
                Notification.objects.select_related(*RELATED)
                .filter(pk__in=ids)
                .order_by("next_attempt_at", "pk")
            )
            for channel in {row.channel for row in rows} - opened:
                opened.add(channel)
                if channel in SESSIONS:
                    sessions.enter_context(SESSIONS[channel]())
            deadline = claim_started + CLAIM_SECONDS - _send_margin()
            done = []
            try:
                for index, row in enumerate(rows):
                    if time.monotonic() > deadline:  # sending is this slow: stop for now
                        _release(rows[index:])
                        return sent + len(done)
                    if _send(row, clock, hooks=False):
                        done.append(row)
            finally:
                with transaction.atomic():
                    on_sent(done, now=clock())
            sent += len(done)
    return sent


def _release(rows: list[Notification]) -> None:
    """Give back claimed rows this process will not send in time (and the
    attempt their claim counted)."""
    Notification.objects.filter(
        pk__in=[row.pk for row in rows],
        sent_at__isnull=True,
        claimed_until=rows[0].claimed_until,  # this batch's claim, still held
    ).update(claimed_until=None, attempts=F("attempts") - 1)
    logger.warning("gave back %s claimed notifications: their claim was running out", len(rows))


def _send(notification: Notification, clock, *, hooks: bool = True) -> bool:
    sender = SENDERS.get(notification.channel)
    try:
        if sender is None:
            raise PermanentFailure(f"no sender for channel {notification.channel!r}")
        detail = sender(notification)
    except PermanentFailure as exc:
        _failed(notification, _describe(exc), clock(), permanent=True)
        return False
    except Exception as exc:  # any failure of the channel: record it, try again later
        _failed(notification, _describe(exc), clock(), permanent=False)
        return False
    return _sent(notification, str(detail)[:DETAIL_MAX], clock(), hooks=hooks)


def _describe(exc: Exception) -> str:
    if isinstance(exc, PermanentFailure | TemporaryFailure):
        return str(exc)[:DETAIL_MAX]
    return f"{exc.__class__.__name__}: {exc}"[:DETAIL_MAX]


def _sent(notification: Notification, detail: str, at, *, hooks: bool = True) -> bool:
    """Stamp the row sent, record the attempt and (unless the sweep runs them
    per batch) the hooks, in one transaction. The stamp is conditional: if
    another process stamped it first (its claim ran out while this one was
    sending), the hooks have run there."""
    again = f"{detail} (sent again: another process had already sent it)"[:DETAIL_MAX]
    with transaction.atomic():
        stamped = _stamp_sent(notification.pk, at, detail, again)
        if stamped:
            notification.sent_at, notification.claimed_until = at, None
            if hooks:
                on_sent([notification], now=at)
    if not stamped:
        logger.warning("notification #%s was sent twice (a claim ran out)", notification.pk)
    return stamped


def _stamp_sent(pk: int, at, detail: str, again: str) -> bool:
    """Stamp row `pk` sent if it is not yet, and record its successful attempt
    (`detail`, or `again` when it was stamped already); True if stamped here.

    On PostgreSQL one statement does both (an UPDATE and an INSERT in one WITH:
    one round trip where the ORM takes two; the sweep's speed is mostly round
    trips and commits). Elsewhere, the ORM's two."""
    if connection.vendor != "postgresql":
        stamped = Notification.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=at, claimed_until=None, last_error=""
        )
        DeliveryAttempt.objects.create(
            notification_id=pk, at=at, ok=True, detail=detail if stamped else again
        )
        return bool(stamped)
    qn = connection.ops.quote_name
    n_meta, a_meta = Notification._meta, DeliveryAttempt._meta

    def column(meta, name):
        return qn(meta.get_field(name).column)

    sql = (
        f"WITH stamped AS ("  # noqa: S608 (names from the models, values as parameters)
        f"UPDATE {qn(n_meta.db_table)} SET {column(n_meta, 'sent_at')} = %s, "
        f"{column(n_meta, 'claimed_until')} = NULL, {column(n_meta, 'last_error')} = '' "
        f"WHERE {qn(n_meta.pk.column)} = %s AND {column(n_meta, 'sent_at')} IS NULL "
        f"RETURNING 1), attempt AS ("
        f"INSERT INTO {qn(a_meta.db_table)} ({column(a_meta, 'notification')}, "
        f"{column(a_meta, 'at')}, {column(a_meta, 'ok')}, {column(a_meta, 'detail')}) "
        f"SELECT %s, %s, TRUE, CASE WHEN EXISTS (SELECT 1 FROM stamped) THEN %s ELSE %s END) "
        f"SELECT EXISTS (SELECT 1 FROM stamped)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, pk, pk, at, detail, again])
        return bool(cursor.fetchone()[0])


def _failed(notification: Notification, detail: str, at, *, permanent: bool) -> None:
    """Record a failed attempt; schedule the next or, after the last one (or a
    permanent refusal), give up and say so on the slip's or complaint's timeline."""
    gave_up = permanent or notification.attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        # Only while the claim is still this process's: if it ran out (a send this
        # slow) and another took the row, that one schedules it, not this one.
        updated = Notification.objects.filter(
            pk=notification.pk, sent_at__isnull=True, claimed_until=notification.claimed_until
        ).update(
            claimed_until=None,
            last_error=detail,
            next_attempt_at=at if gave_up else at + backoff(notification.attempts),
            failed_at=at if gave_up else None,
        )
        DeliveryAttempt.objects.create(notification=notification, at=at, detail=detail)
        if gave_up and updated:
            _timeline(notification, "send_failed", note=f"{shown_address(notification)}: {detail}")
    logger.warning(
        "notification #%s failed (attempt %s%s): %s",
        notification.pk,
        notification.attempts,
        ", gave up" if gave_up else "",
        detail,
    )


def on_sent(notifications: list[Notification], *, now) -> None:
    if not notifications:
        return
    for hook in AFTER_SENT:
        try:
            with transaction.atomic():
                hook(notifications, now=now)
        except Exception:
            logger.exception(
                "after-sent hook %r failed on notifications %s",
                hook,
                [n.pk for n in notifications],
            )


def _timeline(notification: Notification, kind: str, *, by=None, note: str = "", now=None):
    from messages_app.timeline import complaint_event, slip_event

    if notification.slip_id:
        slip_event(notification.slip, kind, by=by, note=note, now=now)
    elif notification.complaint_id:
        complaint_event(notification.complaint, kind, by=by, text=note, now=now)


# The desk's view, and sending again -------------------------------------------

WAITING, SENT, RETRYING, GAVE_UP = "waiting", "sent", "retrying", "gave_up"


def notification_state(notification: Notification) -> str:
    if notification.sent_at:
        return SENT
    if notification.failed_at:
        return GAVE_UP
    if notification.last_error:
        return RETRYING
    return WAITING


def shown_address(notification: Notification) -> str:
    """The address as the desk sees it: an e-mail address, or only the host of
    a webhook (its URL may carry a token)."""
    if notification.channel == Channel.WEBHOOK:
        return urlsplit(notification.address).hostname or ""
    return notification.address


def delivery_log(*, slip=None, complaint=None) -> list[Notification]:
    """The notifications of one slip or complaint, oldest first, each with its
    attempts (prefetched: two queries whatever their number), `state` (waiting,
    sent, retrying, gave_up) and `shown_address`. For
    templates/messages_app/partials/_deliveries.html."""
    if (slip is None) == (complaint is None):
        raise TypeError("delivery_log() takes a slip or a complaint")
    about = {"slip": slip} if slip is not None else {"complaint": complaint}
    rows = list(
        Notification.objects.filter(**about)
        .select_related("recipient")
        .prefetch_related("delivery_attempts")
        .order_by("created_at", "pk")
    )
    for row in rows:
        row.state = notification_state(row)
        row.shown_address = shown_address(row)
    return rows


def notification_retry(pk: int, *, by, now=None) -> Notification:
    """Make an unsent notification due now, with a fresh round of attempts (the
    admin's "send again now", after an address or the webhook was fixed), and
    queue it after commit. Written on the slip's or complaint's timeline. A sent
    notification is not sent again here (that would be a second message: the
    slip's re-send writes a new one), nor one being sent this moment."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = (
            Notification.objects.filter(pk=pk, sent_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(failed_at=None, next_attempt_at=now, attempts=0, claimed_until=None)
        )
        notification = (
            Notification.objects.select_related("slip", "complaint").filter(pk=pk).first()
        )
        if notification is None:
            raise ValidationError(_("There is no such notification."))
        if not updated:
            if notification.sent_at:
                raise ValidationError(
                    _("Notification #%(pk)s was already sent; it is not sent twice.") % {"pk": pk}
                )
            raise ValidationError(_("Notification #%(pk)s is being sent right now.") % {"pk": pk})
        _timeline(notification, "resent", by=by, note=shown_address(notification), now=now)
        transaction.on_commit(lambda: queue([pk]))
    return notification


__all__ = [
    "AFTER_SENT",
    "NotificationKind",
    "PermanentFailure",
    "TemporaryFailure",
    "deliver",
    "delivery_log",
    "notification_retry",
    "notify",
    "queue",
    "register_sender",
    "sweep",
]
