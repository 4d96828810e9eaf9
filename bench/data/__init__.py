"""Generated data sets; each module registers its builders with @dataset."""

from bench.data import calls, dashboard, directory, kpi, recap  # noqa: F401
