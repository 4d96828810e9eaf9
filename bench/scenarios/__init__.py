"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import calls, complaints, dashboard, directory, kpi, outbox, slips  # noqa: F401
