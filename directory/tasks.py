"""Background work of the directory. Every task is idempotent: running it twice,
or again after a worker died half-way, changes nothing more than running it once."""

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError

from directory.holiday_seed import holidays_seed
from directory.importing import apply_confirmed, purge_old_batches, requeue_stuck
from directory.services import presence_expire


@shared_task(ignore_result=True)
def presence_expire_task() -> int:
    return presence_expire()


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database was away
    retry_backoff=5,
    max_retries=5,
)
def apply_import_task(batch_pk: int) -> None:
    """Apply a confirmed directory import (all or nothing; see apply_confirmed)."""
    apply_confirmed(batch_pk)


@shared_task(ignore_result=True)
def requeue_imports_task() -> int:
    return requeue_stuck()


@shared_task(ignore_result=True)
def purge_imports_task() -> int:
    return purge_old_batches()


@shared_task(
    ignore_result=True,
    # the database was away, or a seed by hand added the same day at the same time
    autoretry_for=(OperationalError, InterfaceError, IntegrityError),
    retry_backoff=60,
    max_retries=3,
)
def seed_holidays_task() -> int:
    """Seed this year's and next year's holidays (directory.holiday_seed), so
    next year's calendar is there before anyone needs it. Returns the days added."""
    return holidays_seed().created
