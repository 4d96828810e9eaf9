"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import directory  # noqa: F401
