"""The outbox: notify() writes in the caller's transaction, deliver() and sweep()
send each notification once, whatever is duplicated, retried, raced or crashed;
failures back off and give up; the e-mail channel's message; the desk's
delivery log and the admin's "send again"."""

import smtplib
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import include, path
from django.utils import translation

from messages_app import delivery, notifications
from messages_app.models import (
    Channel,
    DeliveryAttempt,
    Notification,
    NotificationKind,
    SlipEvent,
)
from messages_app.notifications import (
    CLAIM_SECONDS,
    MAX_ATTEMPTS,
    deliver,
    delivery_log,
    notification_retry,
    notify,
    sweep,
)
from messages_app.tasks import deliver_notification_task, notification_sweep_task
from switchboard.celery import app as celery_app
from tests.factories import StaffFactory, UserFactory
from tests.messages_app.factories import ComplaintFactory, NotificationFactory, SlipFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Jakarta


def _slip_page(request, pk):
    return HttpResponse("slip")


def _complaint_page(request, pk):
    return HttpResponse("complaint")


# A urlconf with the pages e-mails link to (the slips and complaints views are
# built on other branches); tests that check links use it.
urlpatterns = [
    path(
        "messages/",
        include(
            (
                [
                    path("slips/<int:pk>/", _slip_page, name="slip-detail"),
                    path("complaints/<int:pk>/", _complaint_page, name="complaint-detail"),
                ],
                "messages_app",
            )
        ),
    ),
]


class Crash(BaseException):
    """The process dies here (not an Exception: nothing in the outbox catches it)."""


@pytest.fixture
def hooks(monkeypatch):
    """The AFTER_SENT hooks see each notification they run for."""
    seen = []
    monkeypatch.setattr(
        notifications, "AFTER_SENT", [lambda sent, now: seen.extend(n.pk for n in sent)]
    )
    return seen


@pytest.fixture
def failing_email(monkeypatch):
    """The e-mail channel fails every time until `.fixed = True`; counts tries."""

    class Sender:
        tries = 0
        fixed = False
        error = notifications.TemporaryFailure("connection refused by mail.example.co.id")

    def send(notification):
        Sender.tries += 1
        if Sender.fixed:
            return delivery.send_email(notification)
        raise Sender.error

    monkeypatch.setitem(notifications.SENDERS, Channel.EMAIL, send)
    return Sender


def pending(n=1, **kwargs):
    return [NotificationFactory(next_attempt_at=T0, created_at=T0, **kwargs) for _ in range(n)]


def message_ids(outbox):
    return [message.extra_headers["Message-ID"] for message in outbox]


# notify(): written with the slip, queued after commit ----------------------------


def test_notify_writes_in_the_callers_transaction_and_sends_after_commit(
    django_capture_on_commit_callbacks, mailoutbox
):
    budi = StaffFactory(full_name="Budi Santoso", email="budi@example.co.id")
    slip = SlipFactory(for_staff=budi)

    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            rows = notify(kind=NotificationKind.SLIP, slip=slip, staff=[budi], now=T0)
            assert Notification.objects.filter(slip=slip).count() == 1
        assert mailoutbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["budi@example.co.id"]]
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.sent_at is not None and row.attempts == 1
    assert row.recipient == budi and row.channel == Channel.EMAIL


def test_a_rolled_back_save_leaves_no_notification_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    slip = SlipFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(kind=NotificationKind.SLIP, slip=slip, staff=[slip.for_staff], now=T0)
            raise RuntimeError("the slip's save failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_a_person_or_address_named_twice_is_told_once(django_capture_on_commit_callbacks):
    budi = StaffFactory(email="Budi@example.co.id")
    slip = SlipFactory(for_staff=budi)

    with django_capture_on_commit_callbacks():
        rows = notify(
            kind=NotificationKind.SLIP,
            slip=slip,
            staff=[budi, budi],
            addresses=[("budi@example.co.id", "en"), ("sekretariat@example.co.id", "en")],
            now=T0,
        )

    assert sorted(r.address for r in rows) == ["Budi@example.co.id", "sekretariat@example.co.id"]


def test_people_without_an_address_get_no_email(django_capture_on_commit_callbacks):
    slip = SlipFactory()
    nobody = StaffFactory(email="")

    with django_capture_on_commit_callbacks() as callbacks:
        assert notify(kind=NotificationKind.SLIP, slip=slip, staff=[nobody], now=T0) == []

    assert callbacks == []


def fresh_connections():
    """Celery pools its broker connections (the app's and the producers'): drop
    them, so the next send connects to the broker the configuration names now."""
    celery_app._pool = None
    vars(celery_app.amqp)["_producer_pool"] = None


def test_with_the_broker_unreachable_everything_is_saved_and_the_sweep_sends_it(
    django_capture_on_commit_callbacks, mailoutbox, caplog, monkeypatch
):
    # Celery reads CELERY_BROKER_URL from the environment before its configuration
    # (CI exports one): without it, the configuration below is the broker.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    slip = SlipFactory()
    keys = ("task_always_eager", "broker_url")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port}/0")
    fresh_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                rows = notify(kind=NotificationKind.SLIP, slip=slip, staff=[slip.for_staff])
    finally:
        celery_app.conf.update(saved)
        fresh_connections()

    assert "wait for the sweep: the broker is unreachable" in caplog.text
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.sent_at is None and row.attempts == 0  # saved, waiting
    assert mailoutbox == []

    assert notification_sweep_task.delay().get() == 1  # the broker is back

    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=row.pk).sent_at is not None


# deliver(): claimed, sent once ----------------------------------------------------


def test_a_duplicated_task_sends_once(mailoutbox, hooks):
    (row,) = pending()

    assert deliver_notification_task.delay(row.pk).get() is True
    assert deliver_notification_task.delay(row.pk).get() is False

    assert len(mailoutbox) == 1
    assert hooks == [row.pk]
    assert DeliveryAttempt.objects.filter(notification=row).count() == 1


def test_a_retry_after_success_sends_nothing(mailoutbox, hooks):
    (row,) = pending()

    assert deliver(row.pk, now=T0) is True
    assert deliver(row.pk, now=T0 + timedelta(hours=1)) is False
    assert sweep(now=T0 + timedelta(days=2)) == 0

    assert len(mailoutbox) == 1
    assert hooks == [row.pk]
    row.refresh_from_db()
    assert row.sent_at == T0 and row.claimed_until is None and row.attempts == 1


def test_a_row_another_sender_holds_is_not_sent(mailoutbox):
    (row,) = pending()
    Notification.objects.filter(pk=row.pk).update(claimed_until=T0 + timedelta(seconds=60))

    assert deliver(row.pk, now=T0) is False
    assert sweep(now=T0) == 0
    assert mailoutbox == []


def test_a_crash_after_the_claim_is_sent_by_the_sweep_once_the_claim_runs_out(
    monkeypatch, mailoutbox, hooks
):
    (row,) = pending()

    def crash(notification):
        raise Crash

    with monkeypatch.context() as patched:
        patched.setitem(notifications.SENDERS, Channel.EMAIL, crash)
        with pytest.raises(Crash):
            deliver(row.pk, now=T0)
    row.refresh_from_db()
    assert row.claimed_until == T0 + timedelta(seconds=CLAIM_SECONDS)
    assert row.attempts == 1 and not row.delivery_attempts.exists()

    assert sweep(now=T0 + timedelta(seconds=CLAIM_SECONDS - 1)) == 0  # still claimed
    assert mailoutbox == []
    assert sweep(now=T0 + timedelta(seconds=CLAIM_SECONDS + 1)) == 1
    assert sweep(now=T0 + timedelta(seconds=CLAIM_SECONDS + 2)) == 0

    assert len(mailoutbox) == 1
    assert hooks == [row.pk]
    row.refresh_from_db()
    assert row.attempts == 2 and row.sent_at is not None


def test_a_sweep_that_dies_mid_batch_leaves_the_rest_to_the_next_one(monkeypatch, mailoutbox):
    rows = pending(4)
    real = notifications.SENDERS[Channel.EMAIL]

    def dies_on_the_third(notification):
        if notification.pk == rows[2].pk:
            raise Crash
        return real(notification)

    with monkeypatch.context() as patched:
        patched.setitem(notifications.SENDERS, Channel.EMAIL, dies_on_the_third)
        with pytest.raises(Crash):
            sweep(now=T0)
    assert len(mailoutbox) == 2

    assert sweep(now=T0 + timedelta(seconds=60)) == 0  # the dead sweep's claim holds
    assert sweep(now=T0 + timedelta(seconds=CLAIM_SECONDS + 1)) == 2

    assert sorted(message_ids(mailoutbox)) == sorted(set(message_ids(mailoutbox)))
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_a_batch_gives_back_what_it_cannot_send_before_its_claim_runs_out(monkeypatch, mailoutbox):
    rows = pending(3)
    monkeypatch.setattr(notifications, "_send_margin", lambda: CLAIM_SECONDS + 1)

    assert sweep(now=T0) == 0

    assert mailoutbox == []
    for row in Notification.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.claimed_until is None and row.attempts == 0
    monkeypatch.undo()
    assert sweep(now=T0) == 3


def test_a_slow_failure_leaves_alone_the_row_another_sender_took_over(monkeypatch):
    (row,) = pending()
    theirs = T0 + timedelta(seconds=2 * CLAIM_SECONDS + 1)

    def slow_then_fails(notification):
        # This send outlived its claim; another sweep claimed the row meanwhile.
        Notification.objects.filter(pk=notification.pk).update(claimed_until=theirs)
        raise notifications.TemporaryFailure("connection reset")

    monkeypatch.setitem(notifications.SENDERS, Channel.EMAIL, slow_then_fails)
    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.claimed_until == theirs and row.next_attempt_at == T0  # not rescheduled
    assert row.last_error == ""
    assert row.delivery_attempts.get().detail == "connection reset"  # but recorded


def test_the_sweep_takes_what_is_due_in_batches_up_to_its_limit(mailoutbox):
    pending(7)
    later = NotificationFactory(next_attempt_at=T0 + timedelta(hours=1))

    assert sweep(now=T0, batch=3, limit=5) == 5
    assert sweep(now=T0, batch=3) == 2
    assert len(mailoutbox) == 7
    assert Notification.objects.get(pk=later.pk).sent_at is None  # not due yet
    assert sweep(now=T0 + timedelta(hours=1)) == 1


# Failures: back-off, giving up ---------------------------------------------------


def test_failures_back_off_1_2_4_minutes_up_to_an_hour(failing_email):
    (row,) = pending()
    at, waits = T0, []
    for _attempt in range(MAX_ATTEMPTS - 1):
        assert deliver(row.pk, now=at) is False
        row.refresh_from_db()
        waits.append(row.next_attempt_at - at)
        assert deliver(row.pk, now=row.next_attempt_at - timedelta(seconds=1)) is False
        at = row.next_attempt_at

    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60]
    assert failing_email.tries == MAX_ATTEMPTS - 1  # nothing tried before its time
    assert row.failed_at is None
    assert row.last_error == "connection refused by mail.example.co.id"
    assert not row.delivery_attempts.filter(ok=True).exists()


def test_after_the_last_attempt_it_gives_up_and_says_so_on_the_slip(failing_email, mailoutbox):
    (row,) = pending()
    at = T0
    for _attempt in range(MAX_ATTEMPTS):
        assert sweep(now=at) == 0
        row.refresh_from_db()
        at = row.next_attempt_at

    assert row.failed_at is not None and row.sent_at is None
    assert row.attempts == MAX_ATTEMPTS
    assert row.delivery_attempts.count() == MAX_ATTEMPTS
    event = SlipEvent.objects.get(slip=row.slip, kind="send_failed")
    assert row.address in event.note and "connection refused" in event.note

    failing_email.fixed = True
    assert sweep(now=at + timedelta(days=30)) == 0  # given up: left alone
    assert failing_email.tries == MAX_ATTEMPTS
    assert mailoutbox == []


def test_a_sender_that_succeeds_later_sends_once(failing_email, mailoutbox, hooks):
    (row,) = pending()
    assert sweep(now=T0) == 0
    failing_email.fixed = True

    assert sweep(now=T0 + timedelta(minutes=1)) == 1

    assert len(mailoutbox) == 1 and hooks == [row.pk]
    assert [a.ok for a in DeliveryAttempt.objects.filter(notification=row)] == [False, True]
    row.refresh_from_db()
    assert row.last_error == "" and row.attempts == 2


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses: `error` is raised on every send."""

    error = smtplib.SMTPRecipientsRefused({"x@example.co.id": (550, b"5.1.1 no such user")})

    def send_messages(self, email_messages):
        raise self.error


def test_a_mailbox_refused_for_good_gives_up_at_once(settings):
    settings.EMAIL_BACKEND = "tests.messages_app.test_notifications.RefusingBackend"
    (row,) = pending()

    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.failed_at == T0 and row.attempts == 1
    (attempt,) = row.delivery_attempts.all()
    assert not attempt.ok and "SMTPRecipientsRefused" in attempt.detail and "550" in attempt.detail


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({"x@example.co.id": (451, b"4.7.1 try again later")}),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_a_passing_smtp_error_is_recorded_as_an_attempt_and_retried(settings, monkeypatch, error):
    settings.EMAIL_BACKEND = "tests.messages_app.test_notifications.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "error", error)
    (row,) = pending()

    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.failed_at is None and row.next_attempt_at == T0 + timedelta(minutes=1)
    (attempt,) = row.delivery_attempts.all()
    assert attempt.at == T0 and not attempt.ok
    assert attempt.detail.startswith(error.__class__.__name__)


# AFTER_SENT hooks -----------------------------------------------------------------


def test_the_after_sent_hooks_run_once_per_sent_notification(monkeypatch, mailoutbox):
    rows = pending(3)
    calls = []

    def broken(sent, now):
        calls.extend(("broken", n.pk) for n in sent)
        SlipEvent.objects.create(slip=sent[0].slip, kind="delivered")  # undone below
        raise RuntimeError("a bug in a hook")

    def ok(sent, now):
        calls.extend(("ok", n.pk, now) for n in sent)

    monkeypatch.setattr(notifications, "AFTER_SENT", [broken, ok])

    assert sweep(now=T0) == 3
    assert deliver(rows[0].pk, now=T0) is False
    assert sweep(now=T0 + timedelta(days=1)) == 0

    assert sorted(calls) == sorted(
        [("broken", r.pk) for r in rows] + [("ok", r.pk, T0) for r in rows]
    )
    assert not SlipEvent.objects.filter(kind="delivered").exists()  # the hook's savepoint
    assert Notification.objects.filter(sent_at=T0).count() == 3  # sent stays sent
    assert len(mailoutbox) == 3


# Two sweeps at once (PostgreSQL: two connections) ---------------------------------


def _in_threads(*functions):
    """Run each function in its own thread (its own database connection), all
    released at once; re-raise the first error."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_and_the_tasks_at_once_send_each_email_once(mailoutbox, hooks):
    if connection.vendor != "postgresql":
        pytest.skip("two concurrent writers need PostgreSQL (SQLite has one writer at a time)")
    slip = SlipFactory()
    rows = [NotificationFactory(slip=slip, next_attempt_at=T0) for _ in range(60)]
    ids = [row.pk for row in rows]

    def tasks():
        for pk in reversed(ids):
            deliver(pk, now=T0)

    _in_threads(
        lambda: sweep(now=T0, batch=7),
        lambda: sweep(now=T0, batch=5),
        tasks,
    )

    assert len(mailoutbox) == 60
    assert len(set(message_ids(mailoutbox))) == 60
    assert sorted(hooks) == sorted(ids)
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert DeliveryAttempt.objects.filter(ok=True).count() == 60
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_batch_claim_takes_each_due_row_once():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL: the two-sweeps test above claims for real")
    # On SQLite the sweep still claims a batch in one statement (UPDATE ... RETURNING).
    pending(3)
    ids = notifications._claim_batch(T0, 2)
    assert len(ids) == 2
    assert notifications._claim_batch(T0, 5) == [
        pk for pk in Notification.objects.order_by("pk").values_list("pk", flat=True)
        if pk not in ids
    ]  # fmt: skip
    assert notifications._claim_batch(T0, 5) == []


# The e-mail -----------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_the_email_has_text_and_html_headers_that_thread_and_an_absolute_link(settings, mailoutbox):
    settings.SITE_URL = "https://switchboard.example.com"
    settings.DEFAULT_FROM_EMAIL = "Switchboard <switchboard@example.com>"
    slip = SlipFactory(caller_name="O'Brien & Sons", message="Call back <today> & bring the offer")
    first, _reminder = (
        NotificationFactory(slip=slip, next_attempt_at=T0),
        NotificationFactory(slip=slip, kind=NotificationKind.SLIP_REMINDER, next_attempt_at=T0),
    )

    assert sweep(now=T0) == 2

    message = mailoutbox[0]
    assert message.from_email == "Switchboard <switchboard@example.com>"
    assert message.to == [first.address]
    # No HTML escaping in a subject (the slip's wording adds whom it is for).
    assert message.subject.startswith("Message from O'Brien & Sons")
    assert "Call back <today> & bring the offer" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Call back &lt;today&gt; &amp; bring the offer" in html
    headers = message.extra_headers
    assert headers["Message-ID"] == f"<notification-{first.pk}@switchboard.example.com>"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "OOF, AutoReply"  # no out-of-office replies
    assert (
        headers["References"]
        == headers["In-Reply-To"]
        == f"<slip-{slip.pk}@switchboard.example.com>"
    )
    assert mailoutbox[1].extra_headers["References"] == headers["References"]  # one thread
    assert mailoutbox[1].extra_headers["Message-ID"] != headers["Message-ID"]
    raw = message.message()
    assert raw["Message-ID"] == headers["Message-ID"]
    assert raw["X-Switchboard-Slip"] == str(slip.pk)
    context = delivery.email_context(Notification.objects.get(pk=first.pk))
    assert context["link"] == f"https://switchboard.example.com/messages/slips/{slip.pk}/"
    assert context["company_name"] == settings.COMPANY_NAME


@pytest.mark.urls(__name__)
def test_a_complaint_email_threads_on_the_complaint_and_names_its_reference(settings, mailoutbox):
    settings.SITE_URL = "https://switchboard.example.com"
    complaint = ComplaintFactory()
    NotificationFactory(
        slip=None, complaint=complaint, kind=NotificationKind.COMPLAINT_ROUTED, next_attempt_at=T0
    )

    assert sweep(now=T0) == 1

    headers = mailoutbox[0].extra_headers
    assert headers["References"] == f"<complaint-{complaint.pk}@switchboard.example.com>"
    assert headers["X-Switchboard-Reference"] == complaint.reference
    assert mailoutbox[0].subject.startswith(f"Complaint {complaint.reference}")


def test_the_message_id_is_the_same_each_time_it_is_built():
    (row,) = pending()
    first = delivery.build_email(row).message()["Message-ID"]
    again = delivery.build_email(row).message()["Message-ID"]
    assert first == again == delivery.message_id(row)


def test_the_email_is_written_in_the_notifications_language(mailoutbox):
    english, indonesian = pending(language="en")[0], pending(language="id")[0]
    languages = {}

    def remember(notification):
        languages[notification.pk] = translation.get_language()
        return {}

    delivery.register_email_context(remember)
    try:
        with translation.override("en"):
            assert sweep(now=T0) == 2
    finally:
        delivery.EMAIL_CONTEXT.remove(remember)

    assert languages == {english.pk: "en", indonesian.pk: "id"}
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address[indonesian.address].extra_headers["Content-Language"] == "id"
    assert by_address[english.address].extra_headers["Content-Language"] == "en"


@pytest.fixture
def kind_templates(settings, tmp_path):
    """A kind's templates that extend the base layout, as slips and complaints write them."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "slip_subject.txt").write_text("Pesan: {{ slip.caller_name }}")
    (folder / "slip_body.txt").write_text(
        '{% extends "emails/base_body.txt" %}{% block content %}{{ slip.message }}{% endblock %}'
    )
    (folder / "slip_body.html").write_text(
        '{% extends "emails/base_body.html" %}'
        "{% block content %}<p>{{ slip.message }}</p>{% endblock %}"
    )
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]
    return folder


@pytest.mark.urls(__name__)
def test_kind_templates_extend_the_base_layout_with_company_link_and_footer(
    settings, kind_templates, mailoutbox
):
    settings.COMPANY_NAME = "PT Nusantara & Sejahtera"
    settings.SITE_URL = "https://switchboard.example.com"
    slip = SlipFactory(caller_name="Ibu <Rina>", message="Tolong telepon balik")
    NotificationFactory(slip=slip, next_attempt_at=T0, language="en")

    assert sweep(now=T0) == 1

    message = mailoutbox[0]
    link = f"https://switchboard.example.com/messages/slips/{slip.pk}/"
    assert message.subject == "Pesan: Ibu <Rina>"
    assert message.body.startswith("PT Nusantara & Sejahtera\n")
    assert "Tolong telepon balik" in message.body
    assert f"Open it in Switchboard: {link}" in message.body
    assert "\n-- \nSent automatically by the switchboard of PT Nusantara & Sejahtera." in (
        message.body
    )
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html
    assert "<title>Pesan: Ibu &lt;Rina&gt;</title>" in html
    assert "<strong>PT Nusantara &amp; Sejahtera</strong>" in html
    assert f'<a href="{link}">Open it in Switchboard</a>' in html


@pytest.mark.urls("tests.messages_app.urls_no_pages")
def test_without_a_page_to_link_to_the_email_has_no_link(kind_templates, mailoutbox):
    pending()
    assert sweep(now=T0) == 1
    assert "Open it in Switchboard" not in mailoutbox[0].body


class CountingBackend(locmem.EmailBackend):
    """The test backend, counting the connections made to it."""

    made = 0

    def __init__(self, *args, **kwargs):
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_one_batch_shares_one_mail_server_connection(settings, monkeypatch, mailoutbox):
    settings.EMAIL_BACKEND = "tests.messages_app.test_notifications.CountingBackend"
    monkeypatch.setattr(CountingBackend, "made", 0)
    rows = pending(6)

    assert sweep(now=T0, limit=5) == 5
    assert CountingBackend.made == 1
    assert deliver(rows[-1].pk, now=T0) is True  # a task sends one: its own connection
    assert CountingBackend.made == 2
    assert len(mailoutbox) == 6


# The desk's delivery log ----------------------------------------------------------


def _log_rows(slip, n):
    """n notifications of one slip in every state, with attempts."""
    states = ["waiting", "sent", "retrying", "gave_up"]
    for i in range(n):
        state = states[i % 4]
        row = NotificationFactory(slip=slip, created_at=T0 + timedelta(seconds=i))
        if state == "sent":
            DeliveryAttempt.objects.create(notification=row, at=T0, ok=True, detail="accepted")
            Notification.objects.filter(pk=row.pk).update(sent_at=T0, attempts=1)
        elif state in ("retrying", "gave_up"):
            DeliveryAttempt.objects.create(notification=row, at=T0, detail="HTTP 500 from x")
            Notification.objects.filter(pk=row.pk).update(
                attempts=1,
                last_error="HTTP 500 from x",
                next_attempt_at=T0 + timedelta(minutes=1),
                failed_at=T0 if state == "gave_up" else None,
            )


@pytest.mark.parametrize("n", [1, 50])
def test_the_delivery_log_takes_two_queries_and_its_partial_none(n, django_assert_num_queries):
    slip = SlipFactory()
    _log_rows(slip, n)
    _log_rows(SlipFactory(), 3)  # another slip's

    with django_assert_num_queries(2):
        log = delivery_log(slip=slip)
    with django_assert_num_queries(0):
        html = render_to_string("messages_app/partials/_deliveries.html", {"notifications": log})

    assert len(log) == n
    assert html.count("data-notification=") == n
    assert [row.state for row in log][:4] == ["waiting", "sent", "retrying", "gave_up"][:n]


def test_the_delivery_log_shows_each_state_and_attempt_escaped():
    slip = SlipFactory()
    staff = StaffFactory(full_name="<script>alert('name')</script>")
    waiting = NotificationFactory(slip=slip, recipient=staff, address="a@example.co.id")
    sent = NotificationFactory(slip=slip, address="b@example.co.id")
    DeliveryAttempt.objects.create(notification=sent, at=T0, ok=True, detail="accepted")
    Notification.objects.filter(pk=sent.pk).update(sent_at=T0, attempts=1)
    retrying = NotificationFactory(
        slip=slip,
        channel=Channel.WEBHOOK,
        address="https://hooks.example.com/in?token=s3cret",
    )
    DeliveryAttempt.objects.create(
        notification=retrying, at=T0, detail="HTTP 500 from hooks.example.com: <b>down</b>"
    )
    Notification.objects.filter(pk=retrying.pk).update(
        attempts=1, last_error="HTTP 500", next_attempt_at=T0 + timedelta(minutes=1)
    )

    with translation.override("en"):
        html = render_to_string(
            "messages_app/partials/_deliveries.html", {"notifications": delivery_log(slip=slip)}
        )

    assert f'data-notification="{waiting.pk}" data-state="waiting"' in html
    assert f'data-notification="{sent.pk}" data-state="sent"' in html
    assert f'data-notification="{retrying.pk}" data-state="retrying"' in html
    assert "Waiting" in html and "Sent" in html and "Retrying" in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
    assert "<script>" not in html and "<b>down</b>" not in html
    assert "&lt;b&gt;down&lt;/b&gt;" in html
    assert "hooks.example.com" in html and "s3cret" not in html  # a webhook shows its host
    assert "at 2026-03-02 09:01" in html  # retrying at, in Jakarta time


def test_the_delivery_log_takes_a_slip_or_a_complaint():
    complaint = ComplaintFactory()
    row = NotificationFactory(slip=None, complaint=complaint)
    assert [n.pk for n in delivery_log(complaint=complaint)] == [row.pk]
    with pytest.raises(TypeError):
        delivery_log()
    with pytest.raises(TypeError):
        delivery_log(slip=SlipFactory(), complaint=complaint)


def test_an_empty_delivery_log_says_so():
    html = render_to_string("messages_app/partials/_deliveries.html", {"notifications": []})
    assert "No notifications were sent for it." in html


# Send again now -------------------------------------------------------------------


def test_send_again_makes_a_given_up_notification_due_with_fresh_attempts(
    failing_email, mailoutbox, django_capture_on_commit_callbacks
):
    (row,) = pending()
    at = T0
    for _attempt in range(MAX_ATTEMPTS):
        sweep(now=at)
        row.refresh_from_db()
        at = row.next_attempt_at
    assert row.failed_at is not None
    admin = UserFactory(username="admin")
    failing_email.fixed = True

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_retry(row.pk, by=admin, now=at + timedelta(days=1))

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1  # queued after commit, sent at once here (eager)
    row.refresh_from_db()
    assert row.sent_at is not None and row.failed_at is None and row.attempts == 1
    event = SlipEvent.objects.get(slip=row.slip, kind="resent")
    assert event.by == admin and event.note == row.address


def test_send_again_refuses_a_sent_notification_and_one_being_sent(mailoutbox):
    sent, busy = pending(2)
    deliver(sent.pk, now=T0)
    Notification.objects.filter(pk=busy.pk).update(claimed_until=T0 + timedelta(minutes=2))
    admin = UserFactory(username="admin")

    with pytest.raises(ValidationError, match="already sent"):
        notification_retry(sent.pk, by=admin, now=T0 + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="being sent right now"):
        notification_retry(busy.pk, by=admin, now=T0 + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="no such notification"):
        notification_retry(busy.pk + 1000, by=admin)

    assert len(mailoutbox) == 1
    assert not SlipEvent.objects.filter(kind="resent").exists()


# The beat -------------------------------------------------------------------------


def test_the_sweep_runs_every_minute_from_the_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["messages-notification-sweep"]
    assert entry == {"task": "messages_app.tasks.notification_sweep_task", "schedule": 60.0}
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks


def test_the_sweep_task_sends_what_is_due(mailoutbox):
    pending(2)
    assert notification_sweep_task.delay().get() == 2
    assert len(mailoutbox) == 2
    assert mail.outbox is mailoutbox
