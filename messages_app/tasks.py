"""Celery adapters of the outbox (messages_app.notifications) and of the
escalation sweeps (messages_app.services.escalation). The outbox's own
schedule (claims, back-off, giving up) lives in the database, not in Celery
retries: a task that fails leaves its row due, and the sweep sends it."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from messages_app.notifications import deliver, sweep
from messages_app.services.escalation import complaint_escalation_sweep, slip_escalation_sweep

# A sweep takes no new batch after this many seconds (well inside the task's
# soft time limit): what is left waits for the next minute's run.
SWEEP_SECONDS = 240


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database was away
    retry_backoff=5,
    max_retries=5,
)
def deliver_notification_task(notification_id: int) -> bool:
    return deliver(int(notification_id))


@shared_task(ignore_result=True)
def notification_sweep_task() -> int:
    return sweep(max_seconds=min(SWEEP_SECONDS, settings.CELERY_TASK_SOFT_TIME_LIMIT / 2))


# Escalation (messages_app.services.escalation) -------------------------------


@shared_task(ignore_result=True)
def slip_escalation_task() -> int:
    return slip_escalation_sweep()


@shared_task(ignore_result=True)
def complaint_escalation_task() -> int:
    return complaint_escalation_sweep()
