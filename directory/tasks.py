from celery import shared_task

from directory.services import presence_expire


@shared_task(ignore_result=True)
def presence_expire_task() -> int:
    return presence_expire()
