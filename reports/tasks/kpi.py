"""kpi tasks: thin adapters over reports.services."""

from datetime import date

from celery import shared_task

from reports.services.operator_days import (
    operator_days_build,
    operator_days_fold_dirty,
    operator_days_nightly,
)

__all__: list[str] = [
    "operator_days_build_task",
    "operator_days_dirty_task",
    "operator_days_nightly_task",
]


@shared_task(ignore_result=True)
def operator_days_nightly_task() -> dict:
    """Yesterday and the KPI_REBUILD_DAYS days before it."""
    return operator_days_nightly()


@shared_task(ignore_result=True)
def operator_days_dirty_task() -> int:
    """The days marked by a call's correction or deletion."""
    return operator_days_fold_dirty()


@shared_task(ignore_result=True)
def operator_days_build_task(start_iso: str, end_iso: str) -> dict:
    return operator_days_build(start=date.fromisoformat(start_iso), end=date.fromisoformat(end_iso))
