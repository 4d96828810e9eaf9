"""The dashboard scenario and its data set, at a tiny scale in the test database."""

from datetime import timedelta

from django.utils import timezone

from bench import core
from calls.models import Call, PhoneLineIncident
from reports.models import DailyRecap

SCALE = 0.001  # 1,000 calls over the year, 10 today (50 at least)


def test_dashboard_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("dashboard", core.Context(scale=SCALE))
    assert summary["n_recaps"] == DailyRecap.objects.count() == 56
    today = timezone.localdate()
    assert not DailyRecap.objects.filter(date__gte=today).exists()
    recap = DailyRecap.objects.get(date=today - timedelta(days=7))
    assert len(recap.figures["calls"]["by_hour"]) == 24
    assert recap.figures["calls"]["total"] == sum(recap.figures["calls"]["by_hour"])
    assert Call.objects.filter(notes="bench-dashboard-today").count() == summary["n_today"] == 50
    assert PhoneLineIncident.objects.filter(ended_at__isnull=True).count() == 2


def test_dashboard_reports_figures_and_constant_queries(db):
    small = core.run_scenario("dashboard", core.Context(scale=SCALE, samples=4))
    for key in ("p50_ms", "p95_ms", "queries_per_request", "ratio_to_sql", "ratio_to_hello",
                "p95_ms_page", "p95_ms_partial"):  # fmt: skip
        assert isinstance(small[key], int | float) and small[key] >= 0, key
    assert small["calls_today_shown"] >= small["n_today"]
    assert small["raw_call_days_read"] <= 1
    bigger = core.run_scenario("dashboard", core.Context(scale=SCALE * 20, samples=4))
    assert bigger["n_today"] > small["n_today"]
    assert bigger["queries_per_request_page"] == small["queries_per_request_page"]
    assert bigger["queries_per_request_partial"] == small["queries_per_request_partial"]


def test_the_scenario_is_registered_with_its_data_set():
    core.load()
    assert core.SCENARIOS["dashboard"].needs == ("dashboard",)
    assert core.DATASETS["dashboard"].needs == ("calls",)
