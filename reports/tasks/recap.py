"""recap tasks: thin adapters over reports.services.recap (ISO dates in,
plain dicts out). Each is idempotent: a build updates the one row of its
date, and the e-mail is claimed once per recap."""

from datetime import date

from celery import shared_task

from reports.services.recap import RecapSignedOff, recap_build, recap_morning, recap_nightly

__all__: list[str] = ["recap_build_task", "recap_morning_task", "recap_nightly_task"]


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def recap_nightly_task() -> dict:
    """Every night at RECAP_BUILD_TIME: the day's recap and the supervisors' e-mail."""
    return recap_nightly()


@shared_task(ignore_result=True)
def recap_morning_task() -> dict:
    """Every morning: yesterday's recap again (late corrections), unless signed off."""
    return recap_morning()


@shared_task(ignore_result=True)
def recap_build_task(day_iso: str) -> int | None:
    """Build (or rebuild) one day's recap on demand; a signed-off one is left
    as it is (None: rebuilding it takes a person's reason)."""
    try:
        return recap_build(day=date.fromisoformat(day_iso)).pk
    except RecapSignedOff:
        return None
