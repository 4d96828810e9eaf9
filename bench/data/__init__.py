"""Generated data sets; each module registers its builders with @dataset."""

from bench.data import directory  # noqa: F401
