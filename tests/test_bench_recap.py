"""The recap benches and their data set, at a tiny scale in the test database."""

from datetime import date

from bench import core
from calls.models import Call
from reports.models import DailyRecap
from reports.recap_figures import day_bounds

SCALE = 0.001  # 1,000 calls over the 100 days, 3 operators


def test_recap_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("recap", core.Context(scale=SCALE))
    assert summary["days"] == 100
    assert summary["calls_per_day"] == 10
    first = day_bounds(date.fromisoformat(summary["first_day"]))
    last = day_bounds(date.fromisoformat(summary["last_day"]))
    in_range = Call.objects.filter(started_at__gte=first.start, started_at__lt=last.end)
    assert in_range.count() == summary["n_calls"] == 1000


def test_daily_recap_reports_its_figures(db):
    figures = core.run_scenario("daily_recap", core.Context(scale=SCALE, samples=2))
    for key in ("build_s", "queries", "ratio_to_sql"):
        assert isinstance(figures[key], int | float) and figures[key] >= 0, key
    assert figures["queries"] < 20
    assert figures["calls_that_day"] == 10
    assert figures["messages_that_day"] >= 1 and figures["reviews_that_day"] >= 1


def test_recap_backfill_changes_nothing_on_the_second_run(db):
    figures = core.run_scenario("recap_backfill", core.Context(scale=SCALE))
    assert figures["days"] == 100
    assert figures["changed_on_second_run"] == 0
    assert DailyRecap.objects.count() == 100


def test_the_scenarios_are_registered_with_their_data_set():
    core.load()
    assert core.SCENARIOS["daily_recap"].needs == ("recap",)
    assert core.SCENARIOS["recap_backfill"].needs == ("recap",)
    assert core.DATASETS["recap"].needs == ("calls",)
