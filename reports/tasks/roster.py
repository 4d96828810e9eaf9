"""roster tasks: thin adapters over reports.services."""

from datetime import date

from celery import shared_task

from reports.services.attendance import attendance_compute_range, attendance_sweep

__all__ = ["attendance_compute_days_task", "attendance_sweep_task"]


@shared_task(name="reports.tasks.roster.attendance_sweep_task")
def attendance_sweep_task() -> int:
    """Every 15 minutes: attendance of the days whose shifts ended (idempotent)."""
    return attendance_sweep()


@shared_task(name="reports.tasks.roster.attendance_compute_days_task")
def attendance_compute_days_task(start_iso: str, end_iso: str) -> int:
    """Recompute every operator's attendance from one day to another (by hand)."""
    start, end = date.fromisoformat(start_iso), date.fromisoformat(end_iso)
    if end < start:
        return 0
    return attendance_compute_range(start=start, end=end)
