"""Benchmark scenarios; each module registers its functions with @scenario."""

from bench.scenarios import (  # noqa: F401
    calls,
    complaints,
    dashboard,
    directory,
    kpi,
    outbox,
    recap,
    slips,
)
