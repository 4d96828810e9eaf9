"""The message_inbox scenario and its data set, at a tiny scale in the test database."""

from datetime import timedelta

from bench import core
from messages_app.models import MessageSlip, SlipRecipient, SlipStatus

SCALE = 0.002  # 400 slips for 6 recipients (the minimum); the directory at 40 staff


def test_slips_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("slips", core.Context(scale=SCALE))

    assert summary["n_slips"] == MessageSlip.objects.count() == 400
    assert summary["n_recipients"] == 6
    assert MessageSlip.objects.filter(for_department__isnull=False).exists()
    # Every slip is told to someone; open ones are the last days' only.
    assert not MessageSlip.objects.filter(slip_recipients__isnull=True).exists()
    assert summary["n_recipient_rows"] == SlipRecipient.objects.count() >= 400
    assert summary["n_open"] == MessageSlip.objects.open().count()
    oldest_open = MessageSlip.objects.open().order_by("created_at").first()
    newest_done = MessageSlip.objects.filter(status=SlipStatus.DONE).latest("created_at")
    assert oldest_open is None or oldest_open.created_at > newest_done.created_at - timedelta(4)
    assert SlipRecipient.objects.filter(staff__user__isnull=True).count() == 0


def test_message_inbox_reports_figures_and_constant_queries(db):
    small = core.run_scenario("message_inbox", core.Context(scale=SCALE, samples=10))

    for key in ("p95_ms", "p50_ms", "queries_per_request", "p95_ms_inbox", "p95_ms_badge",
                "p95_ms_board", "p95_ms_board_rows", "n_slips", "n_open"):  # fmt: skip
        assert isinstance(small[key], int | float) and small[key] >= 0, key
    assert small["engine"] in ("sqlite", "postgresql")
    assert small["p95_ms"] >= small["p50_ms"] > 0
    # Session, user, Staff record, permissions, open, recent, badge: the inbox.
    assert small["queries_per_request"] <= 7
    assert small["board_rows_shown"] == min(small["n_open"], 200)

    bigger = core.run_scenario("message_inbox", core.Context(scale=SCALE * 5, samples=10))
    assert bigger["n_slips"] == MessageSlip.objects.count() == 2000
    assert bigger["queries_per_request"] == small["queries_per_request"]


def test_the_scenario_is_registered_with_its_data_set():
    core.load()
    assert core.SCENARIOS["message_inbox"].needs == ("slips",)
    assert core.DATASETS["slips"].needs == ("directory",)
