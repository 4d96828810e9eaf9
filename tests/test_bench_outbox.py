"""The notification_sweep scenario, at a tiny scale in the test database: its
figures, and that it sends each notification once (two sweeps at once on
PostgreSQL) and leaves nothing behind."""

import pytest
from django.db import connection

from bench import core
from messages_app.models import DeliveryAttempt, Notification

SCALE = 0.01  # 100 notifications over 2 slips; the directory at 200 staff


@pytest.fixture
def committed_bench_data(transactional_db):
    """The scenario's threads need committed rows (their own connections); the
    data-set markers live outside the models, so they go with the flushed data."""
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {core.MARKER_TABLE}")


def test_notification_sweep_sends_each_notification_once_and_reports_figures(
    committed_bench_data,
):
    figures = core.run_scenario("notification_sweep", core.Context(scale=SCALE))

    for key in ("seconds", "per_s", "queries_per_notification"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert figures["engine"] in ("sqlite", "postgresql")
    assert figures["threads"] == (2 if connection.vendor == "postgresql" else 1)
    assert figures["notifications"] == figures["sent"] == 100
    assert figures["sent_twice"] == 0
    assert figures["unsent_after"] == 0
    assert figures["attempts_recorded"] == 100  # one attempt each: none sent twice
    # A batch claim and a fetch per 100, and the AFTER_SENT hooks once per batch
    # (the slips' "delivered" mark: a few statements); then per notification one
    # statement on PostgreSQL (the stamp and its attempt in one); on SQLite three
    # (BEGIN is a statement there, then the stamp and the attempt).
    per = 1 if connection.vendor == "postgresql" else 3
    assert per < figures["queries_per_notification"] <= per + 0.2
    assert not Notification.objects.exists() and not DeliveryAttempt.objects.exists()

    again = core.run_scenario("notification_sweep", core.Context(scale=SCALE))
    assert again["sent"] == 100 and again["sent_twice"] == 0


def test_notification_sweep_is_registered_with_the_directory_data_set():
    core.load()
    assert core.SCENARIOS["notification_sweep"].needs == ("directory",)
    assert "per_s" in core.SCENARIOS["notification_sweep"].doc
