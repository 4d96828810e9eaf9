"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import calls, complaints, directory, outbox, slips  # noqa: F401
