"""quality tasks: thin adapters over reports.services."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports.services.quality import month_start, sample_propose

__all__ = ["review_sample_propose_task"]


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database was away
    retry_backoff=5,
    max_retries=5,
)
def review_sample_propose_task(month_iso: str | None = None) -> int:
    """Propose (or top up) the month's fair sample; this month by default.
    Safe to run again: it only adds what is missing."""
    from datetime import date

    month = date.fromisoformat(month_iso) if month_iso else month_start(timezone.localdate())
    added = sample_propose(month=month, per_operator=settings.QA_SAMPLE_PER_OPERATOR)
    return sum(added.values())
