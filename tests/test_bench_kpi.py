"""The kpi_month scenario and its data set, at a tiny scale in the test database."""

from bench import core
from reports.models import AttendanceDay, OperatorDay, Review, RosterEntry
from reports.services.operator_days import operator_days_build

SCALE = 0.001  # 1,000 calls by 3 operators (minimum), 50 reviews


def test_kpi_data_set_is_consistent(db):
    core.load()
    summary = core.ensure_dataset("kpi", core.Context(scale=SCALE))

    assert summary["n_reviews"] == Review.objects.count() == 50
    assert summary["n_attendance_days"] == AttendanceDay.objects.count() > 0
    assert summary["n_roster_entries"] == RosterEntry.objects.count() > 0
    assert summary["n_operator_days"] == OperatorDay.objects.count() > 0
    assert summary["build_s"] >= 0
    # Every review is of its operator's call, on the call's local day, once.
    for review in Review.objects.select_related("call")[:20]:
        assert review.operator_id == review.call.operator_id
    assert Review.objects.values("call").distinct().count() == 50
    # The stored per-day figures are what a fresh build would write.
    first = OperatorDay.objects.order_by("date").values_list("date", flat=True).first()
    last = OperatorDay.objects.order_by("-date").values_list("date", flat=True).first()
    assert operator_days_build(start=first, end=last)["unchanged"] == OperatorDay.objects.count()


def test_kpi_month_reports_figures_and_constant_queries(db):
    small = core.run_scenario("kpi_month", core.Context(scale=SCALE, samples=6))

    for key in ("p50_ms", "p95_ms", "queries_per_request", "ratio_to_sql", "ratio_to_hello",
                "p95_ms_table", "p95_ms_sheet", "build_s", "n_operators"):  # fmt: skip
        assert isinstance(small[key], int | float) and small[key] >= 0, key
    assert small["engine"] in ("sqlite", "postgresql")
    assert small["rows_on_table"] >= 3
    assert small["raw_call_queries_per_request"] <= 1  # today's calls only, never the year's

    bigger = core.run_scenario("kpi_month", core.Context(scale=SCALE * 50, samples=6))
    assert bigger["n_operators"] > small["n_operators"]
    assert bigger["queries_per_request_table"] == small["queries_per_request_table"]
    assert bigger["queries_per_request_sheet"] == small["queries_per_request_sheet"]


def test_the_scenario_is_registered_with_its_data_set():
    core.load()
    assert core.SCENARIOS["kpi_month"].needs == ("kpi",)
    assert core.DATASETS["kpi"].needs == ("calls",)
