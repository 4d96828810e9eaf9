"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import calls, directory  # noqa: F401
