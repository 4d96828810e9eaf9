"""Tests with a real Celery worker and Redis broker (CI runs them on PostgreSQL).

The worker is a separate process reading the same test database, so the data is
committed (transaction=True) and the worker gets the test database's name.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import Department, ImportBatch, ImportStatus, Presence, Staff
from switchboard.roles import DIRECTORY_ADMIN
from tests.factories import DepartmentFactory, StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
BROKER = settings.CELERY_BROKER_URL  # CELERY_BROKER_URL, else REDIS_URL

CONF_KEYS = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, seconds=60):
    """Poll `condition` until it holds or time runs out (the worker is another process)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.25)


def redis_reachable(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return False


def unavailable(reason):
    """Skip on a laptop; in CI the services are there, so their absence fails."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-worker test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def celery_worker_process():
    if connection.vendor != "postgresql":
        unavailable("it needs PostgreSQL (shared with the worker process)")
    if not BROKER or not redis_reachable(BROKER):
        unavailable("it needs CELERY_BROKER_URL pointing at a running Redis")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
    }
    queue = f"test-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "switchboard",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    from switchboard.celery import app

    # Sending for real, to this run's worker: tasks sent without a queue (as the
    # app sends them) go to its queue. Put back afterwards for the other tests.
    saved = {key: app.conf[key] for key in CONF_KEYS}
    app.conf.update(
        task_always_eager=False,
        broker_url=BROKER,
        result_backend=BROKER,
        task_default_queue=queue,
    )
    # Celery caches the (disabled) result backend on first use, and its broker
    # connection pools (eager tasks make them too, for the default broker): drop them.
    vars(app._local).pop("backend", None)
    app._pool = None
    vars(app.amqp)["_producer_pool"] = None
    try:
        yield queue
    finally:
        app.conf.update(saved)
        vars(app._local).pop("backend", None)
        app._pool = None
        vars(app.amqp)["_producer_pool"] = None
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_real_worker_runs_the_presence_sweep(celery_worker_process):
    person = StaffFactory(presence=Presence.OUT, back_at=timezone.now() - timedelta(minutes=3))
    from directory.tasks import presence_expire_task

    result = presence_expire_task.apply_async(queue=celery_worker_process, ignore_result=False)
    wait_until(lambda: Staff.objects.get(pk=person.pk).presence == Presence.IN)

    assert Staff.objects.get(pk=person.pk).presence == Presence.IN
    assert result.get(timeout=30) == 1


def test_a_real_worker_applies_a_confirmed_import(celery_worker_process):
    DepartmentFactory(code="FIN")
    client = Client()
    client.force_login(UserFactory(username="importer", roles=[DIRECTORY_ADMIN]))
    text = "full_name,department_code,extensions\nBudi Santoso,FIN,2101\nSiti Aminah,FIN,2102\n"
    upload = SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")
    client.post(reverse("directory:import"), {"kind": "staff", "file": upload})
    batch = ImportBatch.objects.get()

    response = client.post(reverse("directory:import-confirm", args=[batch.pk]))

    assert response.url == reverse("directory:import-preview", args=[batch.pk])
    wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status != ImportStatus.QUEUED)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.sent_at is not None  # handed to the broker: the sweep leaves it alone
    assert set(Staff.objects.values_list("full_name", flat=True)) == {"Budi Santoso", "Siti Aminah"}
    assert Department.objects.get(code="FIN").staff.count() == 2


def test_a_real_worker_applies_an_import_the_sweep_sent(celery_worker_process, monkeypatch):
    from kombu.exceptions import OperationalError

    from directory.importing import import_confirm, import_preview, requeue_stuck
    from directory.tasks import apply_import_task

    DepartmentFactory(code="FIN")
    admin = UserFactory(username="importer", roles=[DIRECTORY_ADMIN])
    text = "full_name,department_code\nBudi Santoso,FIN\n"
    upload = SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")
    batch = import_preview(kind="staff", uploaded_file=upload, user=admin)
    confirmed = timezone.now()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    with monkeypatch.context() as patched:  # the broker is down at the confirm
        patched.setattr(apply_import_task, "delay", broker_down)
        import_confirm(batch=batch, user=admin, now=confirmed)  # committed: sends at once
    assert ImportBatch.objects.get(pk=batch.pk).sent_at is None

    assert requeue_stuck(now=confirmed + timedelta(minutes=6)) == 1  # through Redis, for real
    wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status != ImportStatus.QUEUED)

    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.APPLIED
    assert list(Staff.objects.values_list("full_name", flat=True)) == ["Budi Santoso"]


@pytest.fixture
def mail_folder(tmp_path, monkeypatch):
    """The worker (another process) writes its e-mails into files here."""
    folder = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    return folder


@pytest.fixture
def mailing_worker(mail_folder, celery_worker_process):
    return mail_folder


def test_a_real_worker_delivers_a_slips_email_once(mailing_worker):
    from django.db import transaction

    from messages_app.models import Notification, NotificationKind
    from messages_app.notifications import notify, sweep
    from tests.messages_app.factories import SlipFactory

    budi = StaffFactory(full_name="Budi Santoso", email="budi@example.co.id")
    with transaction.atomic():  # as slip_create does: the slip and its notification together
        slip = SlipFactory(for_staff=budi, message="Tolong telepon balik Ibu Rina")
        (row,) = notify(kind=NotificationKind.SLIP, slip=slip, staff=[budi])
    # Sent to Redis at the commit; the worker sends the e-mail and stamps the row.
    wait_until(lambda: Notification.objects.get(pk=row.pk).sent_at is not None)

    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert list(row.delivery_attempts.values_list("ok", flat=True)) == [True]
    assert sweep() == 0  # nothing left for the sweep: sent once
    files = list(mailing_worker.glob("*.log"))
    assert len(files) == 1
    text = files[0].read_text()
    assert text.count("\nMessage-ID: ") == 1
    assert f"Message-ID: <notification-{row.pk}@" in text
    assert "To: budi@example.co.id" in text
    assert "Tolong telepon balik Ibu Rina" in text
