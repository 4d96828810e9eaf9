"""The call scenarios and their data set, at a tiny scale in the test database."""

import pytest

from bench import core
from calls.models import Call, CallCategory, Caller
from switchboard.roles import OPERATOR

SCALE = 0.001  # 1,000 calls, 50 callers; the directory at 20 staff


def _numeric(figures: dict, keys: list[str]):
    for key in keys:
        assert isinstance(figures[key], int | float), key
        assert figures[key] >= 0, key


def test_calls_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("calls", core.Context(scale=SCALE))

    assert summary["n_calls"] == Call.objects.count() == 1000
    assert summary["n_callers"] == Caller.objects.count() > 10
    assert summary["n_categories"] == CallCategory.objects.count() == 20
    assert Call.history.model.objects.count() == 0  # bulk load, no history
    # Each caller's count and last call match its generated calls.
    for caller in Caller.objects.all()[:20]:
        calls = Call.objects.filter(caller=caller)
        assert caller.call_count == calls.count()
        assert caller.last_call_at == calls.order_by("-started_at")[0].started_at
    assert Call.objects.filter(caller__isnull=True, number_withheld=False).count() == 0
    assert (
        Call.objects.filter(direction="in").count() > Call.objects.exclude(direction="in").count()
    )
    operators = summary["n_operators"]
    assert Call.objects.values("operator").distinct().count() == operators
    assert Call.objects.filter(operator__groups__name=OPERATOR).count() == Call.objects.count()
    # Office hours dominate: most calls start 08:00-17:59 Jakarta time.
    from django.utils import timezone

    hours = [timezone.localtime(t).hour for t in Call.objects.values_list("started_at", flat=True)]
    assert sum(8 <= h < 18 for h in hours) / len(hours) > 0.8


def test_call_log_list_reports_figures_and_few_queries(db):
    figures = core.run_scenario("call_log_list", core.Context(scale=SCALE, samples=16))

    _numeric(
        figures,
        ["p50_ms", "p95_ms", "queries_per_request", "ratio_to_sql", "ratio_to_hello",
         "p50_ms_deep_page", "p50_ms_operator", "n_calls"],
    )  # fmt: skip
    assert figures["engine"] in ("sqlite", "postgresql")
    assert figures["requests"] == 16
    assert figures["n_calls"] == 1000
    assert figures["p95_ms"] >= figures["p50_ms"] > 0
    assert figures["queries_per_request"] <= 8
    assert figures["rows_on_first_pages_min"] > 0
    assert figures["rows_on_deep_page"] > 0


def test_call_create_posts_through_the_console_and_cleans_up(db):
    core.load()
    core.ensure_dataset("calls", core.Context(scale=SCALE))
    callers = {c.pk: c.call_count for c in Caller.objects.all()}

    figures = core.run_scenario("call_create", core.Context(scale=SCALE, samples=12))

    _numeric(figures, ["p50_ms", "p95_ms", "ratio_to_hello", "queries_per_request"])
    assert figures["requests"] == 12
    assert figures["p95_ms"] >= figures["p50_ms"] > 0
    # The most a save takes: a message or a complaint saves its slip or its
    # complaint with the call (recipients, timeline, history, notifications).
    assert figures["queries_per_request"] <= 40
    # The data set is as generated again.
    assert figures["calls_after"] == figures["n_calls"] == Call.objects.count() == 1000
    assert {c.pk: c.call_count for c in Caller.objects.all()} == callers


def test_call_export_csv_streams_the_selected_rows(db):
    figures = core.run_scenario("call_export_csv", core.Context(scale=SCALE, samples=2))

    _numeric(
        figures,
        ["ttfb_ms", "first_row_ms", "total_s", "peak_rss_mb", "rows", "bytes", "rows_per_s"],
    )
    assert figures["runs"] == 2
    assert 100 <= figures["rows"] < 150  # whole days holding ~100 calls
    assert figures["ttfb_ms"] <= figures["first_row_ms"] <= figures["total_s"] * 1000
    assert figures["memory_method"].startswith("in-process")


@pytest.mark.parametrize("name", ["call_log_list", "call_create", "call_export_csv"])
def test_call_scenarios_are_registered_with_the_calls_data_set(name):
    core.load()
    assert core.SCENARIOS[name].needs == ("calls",)
    assert core.DATASETS["calls"].needs == ("directory",)
