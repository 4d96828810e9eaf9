"""The benchmark harness, run at a tiny scale against the test database."""

import json
from pathlib import Path

import pytest

from bench import core
from bench.db import bench_database
from directory.models import Department, InfoEntry, Staff

FIGURES = [
    "p50_ms",
    "p95_ms",
    "mean_ms",
    "queries_per_request",
    "queries_per_request_mean",
    "hello_p50_ms",
    "sql_p50_ms",
    "ratio_to_hello",
    "ratio_to_sql",
    "hit_rate",
    "n_staff",
    "n_info",
]


def test_directory_search_reports_numeric_figures_and_constant_queries(db):
    small = core.run_scenario("directory_search", core.Context(scale=0.002, samples=24))

    for key in FIGURES:
        assert isinstance(small[key], int | float), key
        assert small[key] >= 0, key
    assert small["engine"] in ("sqlite", "postgresql")
    assert small["requests"] == 24
    assert small["n_staff"] == Staff.objects.count() == 40
    assert small["n_info"] == InfoEntry.objects.count() == 10
    assert small["p95_ms"] >= small["p50_ms"] > 0
    assert small["ratio_to_hello"] > 0 and small["ratio_to_sql"] > 0
    assert small["hit_rate"] > 0.5
    # Session, user, permissions, then the search's two.
    assert small["queries_per_request"] <= 5

    # Five times the data: the data set is rebuilt, the query count does not grow.
    bigger = core.run_scenario("directory_search", core.Context(scale=0.01, samples=24))
    assert bigger["n_staff"] == Staff.objects.count() == 200
    assert bigger["queries_per_request"] == small["queries_per_request"]


def test_data_set_is_generated_once_per_scale(db):
    ctx = core.Context(scale=0.002)
    core.load()
    first = core.ensure_dataset("directory", ctx)
    Staff.objects.filter(pk=Staff.objects.first().pk).update(full_name="Penanda Tetap")

    again = core.ensure_dataset("directory", core.Context(scale=0.002))

    assert again == first
    assert Staff.objects.filter(full_name="Penanda Tetap").exists()
    assert first["n_departments"] == Department.objects.count()
    assert Staff.objects.exclude(search_name="").count() == Staff.objects.count()
    assert not InfoEntry.objects.filter(search_text="").exists()


def test_generated_staff_have_extensions_topics_and_covers(db):
    core.load()
    core.ensure_dataset("directory", core.Context(scale=0.01))
    assert not Staff.objects.filter(extensions__isnull=True).exists()
    assert Staff.objects.exclude(topics="").count() > 100
    assert Staff.objects.exclude(aliases="").exists()
    assert Staff.objects.filter(cover__isnull=False, presence="in").count() == 0
    assert Staff.objects.filter(cover__isnull=False).exists()


def test_results_file_merges_scenarios(tmp_path):
    path = tmp_path / "bench" / "results.json"
    core.write_results(path, "one", {"p50_ms": 1.23456, "engine": "sqlite"})
    core.write_results(path, "two", {"p50_ms": 2.0})
    core.write_results(path, "one", {"p50_ms": 3.0})

    results = json.loads(path.read_text())
    assert results == {"one": {"p50_ms": 3.0}, "two": {"p50_ms": 2.0}}


def test_bench_database_is_never_the_app_database():
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "switchboard"}
    assert bench_database(postgres, Path("/x"))["NAME"] == "switchboard_bench"
    assert bench_database(postgres, Path("/x"))["ENGINE"] == postgres["ENGINE"]
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/var/switchboard.sqlite3"}
    assert bench_database(sqlite, Path("/srv/var"))["NAME"] == "/srv/var/bench/bench.sqlite3"


def test_unknown_scenario_is_refused():
    with pytest.raises(KeyError):
        core.run_scenario("no_such_scenario")
