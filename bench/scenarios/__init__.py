"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import calls, complaints, directory, kpi, outbox, recap, slips  # noqa: F401
