"""The webhook channel against a real HTTP server on 127.0.0.1: a signed JSON
POST per person, retried on 5xx, time-outs and refused connections, given up
on a 4xx refusal and after the last attempt; and its settings."""

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from messages_app import notifications
from messages_app.models import Channel, DeliveryAttempt, NotificationKind
from messages_app.notifications import MAX_ATTEMPTS, deliver, notify, sweep
from tests.factories import StaffFactory
from tests.messages_app.factories import ComplaintFactory, NotificationFactory, SlipFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SECRET = "a-long-shared-secret-for-tests"  # noqa: S105


def verify(secret: str, headers: dict, body: bytes, *, now: float, tolerance=300) -> bool:
    """What a receiver does (messages_app/delivery.py's docstring), written
    independently of the sender's code."""
    timestamp = headers["X-Switchboard-Timestamp"]
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return (
        hmac.compare_digest("sha256=" + mac.hexdigest(), headers["X-Switchboard-Signature"])
        and abs(now - int(timestamp)) < tolerance
    )


class Receiver:
    """What the webhook's server got, and what it answers next: (status, text,
    seconds to wait before answering); the last answer repeats."""

    def __init__(self):
        self.requests = []
        self.answers = [(200, "ok", 0)]
        self.lock = threading.Lock()

    def answer(self, *answers):
        self.answers = [a if len(a) == 3 else (*a, 0) for a in answers]

    def next(self):
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers["Content-Length"]))
        receiver.requests.append(
            {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": body}
        )
        status, text, wait = receiver.next()
        if wait:
            time.sleep(wait)
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text.encode())))
        self.end_headers()
        self.wfile.write(text.encode())

    def do_GET(self):  # noqa: N802
        self.server.receiver.requests.append({"method": "GET", "path": self.path})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the client gave up waiting (the time-out test): nothing to report


@pytest.fixture
def receiver(settings):
    """A webhook receiver on an ephemeral port of 127.0.0.1, configured as the
    company's NOTIFY_WEBHOOK_URL."""
    server = Server(("127.0.0.1", 0), Handler)
    server.receiver = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hooks/sb?token=t0k3n"
    settings.NOTIFY_WEBHOOK_SECRET = SECRET
    settings.NOTIFY_WEBHOOK_TIMEOUT = 5
    yield server.receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks(monkeypatch):
    seen = []
    monkeypatch.setattr(
        notifications, "AFTER_SENT", [lambda sent, now: seen.extend(n.pk for n in sent)]
    )
    return seen


def webhook_row(**kwargs):
    kwargs.setdefault("slip", SlipFactory())
    kwargs.setdefault("recipient", kwargs["slip"].for_staff if kwargs["slip"] else StaffFactory())
    return NotificationFactory(
        channel=Channel.WEBHOOK, address="http://old.example/", next_attempt_at=T0, **kwargs
    )


def test_notify_adds_one_webhook_per_person_when_one_is_configured(
    receiver, settings, django_capture_on_commit_callbacks
):
    budi = StaffFactory(email="budi@example.co.id")
    slip = SlipFactory(for_staff=budi)

    with django_capture_on_commit_callbacks():
        rows = notify(
            kind=NotificationKind.SLIP,
            slip=slip,
            staff=[budi],
            addresses=[("pelanggan@example.com", "id")],
            now=T0,
        )

    assert sorted((r.channel, r.address) for r in rows) == [
        (Channel.EMAIL, "budi@example.co.id"),
        (Channel.EMAIL, "pelanggan@example.com"),
        (Channel.WEBHOOK, settings.NOTIFY_WEBHOOK_URL),
    ]
    settings.NOTIFY_WEBHOOK_URL = ""
    with django_capture_on_commit_callbacks():
        rows = notify(kind=NotificationKind.SLIP, slip=slip, staff=[budi], now=T0)
    assert [r.channel for r in rows] == [Channel.EMAIL]


@pytest.mark.urls("tests.messages_app.test_notifications")
def test_the_webhook_gets_a_signed_json_post_a_receiver_can_verify(receiver, settings, hooks):
    settings.SITE_URL = "https://switchboard.example.com"
    budi = StaffFactory(
        full_name="Budi Santoso", email="budi@example.co.id", mobile="0812-3456-7890"
    )
    slip = SlipFactory(
        for_staff=budi,
        caller_name="Ibu Rina",
        caller_company="PT Maju",
        caller_number="+6221555123",
        callback_number="0811 222 333",
        callback_time="after 14:00",
        message="Please call back about the offer ✓",
        urgency="high",
    )
    row = webhook_row(slip=slip, recipient=budi, language="id")

    assert deliver(row.pk, now=T0) is True

    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/sb?token=t0k3n"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert verify(SECRET, headers, body, now=time.time())
    assert not verify(SECRET, headers, body + b" ", now=time.time())  # tampered
    assert not verify("another-secret-altogether", headers, body, now=time.time())
    assert not verify(SECRET, headers, body, now=time.time() + 3600)  # replayed an hour later
    assert headers["X-Switchboard-Delivery"] == str(row.pk)
    assert headers["X-Switchboard-Event"] == "slip"
    payload = json.loads(body)
    assert payload == {
        "id": row.pk,
        "kind": "slip",
        "slip_id": slip.pk,
        "complaint_id": None,
        "reference": None,
        "recipient": {
            "name": "Budi Santoso",
            "email": "budi@example.co.id",
            "mobile": "+6281234567890",
        },
        "caller": {
            "name": "Ibu Rina",
            "company": "PT Maju",
            "number": "+6221555123",
            "callback_number": "+62811222333",
            "callback_time": "after 14:00",
        },
        "subject": "[Tinggi] Pesan dari Ibu Rina untuk Budi Santoso",  # in Budi's language
        "text": "Please call back about the offer ✓",
        "urgency": "high",
        "severity": None,
        "language": "id",
        "url": f"https://switchboard.example.com/messages/slips/{slip.pk}/",
        "created_at": row.created_at.isoformat(),
    }
    (attempt,) = DeliveryAttempt.objects.filter(notification=row)
    assert attempt.ok and attempt.detail == "HTTP 200 from 127.0.0.1"
    assert hooks == [row.pk]


def test_a_complaint_webhook_carries_its_reference_severity_and_a_summary(receiver):
    complaint = ComplaintFactory(
        severity="critical", description="Tagihan ganda. " * 200, customer_name="Pak Joko"
    )
    row = webhook_row(slip=None, complaint=complaint, kind=NotificationKind.COMPLAINT_ROUTED)

    assert sweep(now=T0) == 1

    payload = json.loads(receiver.requests[0]["body"])
    assert payload["reference"] == complaint.reference
    assert payload["complaint_id"] == complaint.pk and payload["slip_id"] is None
    assert payload["severity"] == "critical" and payload["urgency"] is None
    assert payload["caller"] == {"name": "Pak Joko", "number": None}
    assert payload["url"].endswith(f"/messages/complaints/{complaint.pk}/")  # absolute
    assert len(payload["text"]) == 1000 and payload["text"].endswith("…")
    assert payload["recipient"]["name"] == row.recipient.full_name
    assert payload["recipient"]["mobile"] is None


def test_a_500_is_retried_with_back_off_and_sent_once_when_the_receiver_recovers(receiver, hooks):
    receiver.answer((500, "database down"), (200, "ok"))
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False
    row.refresh_from_db()
    assert row.next_attempt_at == T0 + timedelta(minutes=1) and row.failed_at is None
    assert row.last_error == "HTTP 500 from 127.0.0.1: database down"
    assert sweep(now=T0 + timedelta(seconds=59)) == 0
    assert sweep(now=T0 + timedelta(minutes=1)) == 1
    assert sweep(now=T0 + timedelta(hours=5)) == 0

    assert len(receiver.requests) == 2
    assert {r["headers"]["X-Switchboard-Delivery"] for r in receiver.requests} == {str(row.pk)}
    assert [a.ok for a in row.delivery_attempts.all()] == [False, True]
    assert hooks == [row.pk]


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(receiver, hooks):
    receiver.answer((503, "maintenance"))
    row = webhook_row()
    at = T0
    for _attempt in range(MAX_ATTEMPTS):
        sweep(now=at)
        row.refresh_from_db()
        at = row.next_attempt_at

    assert len(receiver.requests) == MAX_ATTEMPTS
    assert row.failed_at is not None and row.sent_at is None
    assert sweep(now=at + timedelta(days=3)) == 0
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert hooks == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_refusal_gives_up_at_once(receiver, status):
    receiver.answer((status, "unknown recipient"))
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False
    assert sweep(now=T0 + timedelta(days=1)) == 0

    assert len(receiver.requests) == 1
    row.refresh_from_db()
    assert row.failed_at == T0 and row.attempts == 1
    assert row.last_error == f"HTTP {status} from 127.0.0.1: unknown recipient"


@pytest.mark.parametrize("status", [408, 429, 502])
def test_busy_or_timed_out_answers_are_retried(receiver, status):
    receiver.answer((status, "later"))
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.failed_at is None and row.next_attempt_at == T0 + timedelta(minutes=1)


def test_a_redirect_is_not_followed_and_gives_up(receiver):
    receiver.answer((302, "moved"))
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False

    assert [r["method"] for r in receiver.requests] == ["POST"]  # no GET to /elsewhere
    row.refresh_from_db()
    assert row.failed_at == T0 and row.last_error.startswith("HTTP 302 from 127.0.0.1")


def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.3
    receiver.answer((200, "too late", 1.5))
    row = webhook_row()

    started = time.monotonic()
    assert deliver(row.pk, now=T0) is False

    assert time.monotonic() - started < 1.4  # it gave up waiting
    row.refresh_from_db()
    assert row.last_error == "no answer from 127.0.0.1 within 0.3 s"
    assert row.failed_at is None and row.next_attempt_at == T0 + timedelta(minutes=1)


def test_a_receiver_that_is_down_is_retried(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{closed_port}/hook"
    settings.NOTIFY_WEBHOOK_SECRET = SECRET
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.last_error.startswith("cannot reach 127.0.0.1:")
    assert row.failed_at is None


def test_a_webhook_no_longer_configured_gives_up(settings):
    settings.NOTIFY_WEBHOOK_URL = ""
    row = webhook_row()

    assert deliver(row.pk, now=T0) is False

    row.refresh_from_db()
    assert row.failed_at == T0
    assert "no longer configured" in row.last_error


def test_the_webhook_goes_to_the_url_configured_now(receiver):
    row = webhook_row()  # written when the company had another URL
    assert row.address == "http://old.example/"

    assert deliver(row.pk, now=T0) is True
    assert len(receiver.requests) == 1


# Settings -------------------------------------------------------------------------


def settings_of(*names, **env):
    """Start the settings in a fresh interpreter; (returncode, values or stderr)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SITE_URL"} and not k.startswith("NOTIFY_")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="switchboard.settings")
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += f"print(json.dumps([getattr(settings, n) for n in {list(names)!r}]))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode:
        return result.returncode, result.stderr
    return 0, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NOTIFY_WEBHOOK_URL": "https://gw.example.com/in"}, "NOTIFY_WEBHOOK_SECRET must be set"),
        (
            {"NOTIFY_WEBHOOK_URL": "https://gw.example.com/in", "NOTIFY_WEBHOOK_SECRET": "short"},
            "at least 16 characters",
        ),
        (
            {"NOTIFY_WEBHOOK_URL": "gw.example.com/in", "NOTIFY_WEBHOOK_SECRET": SECRET},
            "NOTIFY_WEBHOOK_URL must be an absolute http(s) address",
        ),
        ({"NOTIFY_WEBHOOK_TIMEOUT": "0"}, "NOTIFY_WEBHOOK_TIMEOUT must be at least 1"),
        ({"NOTIFY_WEBHOOK_TIMEOUT": "600"}, "NOTIFY_WEBHOOK_TIMEOUT must be at most 120"),
        ({"SITE_URL": "switchboard.example.com"}, "SITE_URL must be an absolute http(s) address"),
        ({"SITE_URL": "https://switchboard.example.com/?x=1"}, "SITE_URL must be an absolute"),
        (
            {"DEBUG": "false", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": ".example.com"},
            "SITE_URL must be set",
        ),
    ],
)
def test_a_bad_outbox_setting_stops_start_up_with_a_clear_message(env, message):
    code, stderr = settings_of("SITE_URL", **env)

    assert code != 0
    assert "ImproperlyConfigured" in stderr and message in stderr


def test_the_outbox_settings_and_their_defaults():
    assert settings_of("SITE_URL", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_TIMEOUT") == (
        0,
        ["http://127.0.0.1:8000", "", 10],
    )
    production = {"DEBUG": "false", "SECRET_KEY": "k" * 50}
    assert settings_of("SITE_URL", ALLOWED_HOSTS="sb.example.com,localhost", **production) == (
        0,
        ["https://sb.example.com"],
    )
    assert settings_of(
        "SITE_URL",
        "NOTIFY_WEBHOOK_URL",
        "NOTIFY_WEBHOOK_TIMEOUT",
        SITE_URL="https://intranet.example.com/switchboard/",
        NOTIFY_WEBHOOK_URL="https://gw.example.com/in?token=x",
        NOTIFY_WEBHOOK_SECRET=SECRET,
        NOTIFY_WEBHOOK_TIMEOUT="3",
    ) == (0, ["https://intranet.example.com/switchboard", "https://gw.example.com/in?token=x", 3])
