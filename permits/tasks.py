from celery import shared_task

from .services import close_ended_permits


@shared_task
def close_ended_permits_task() -> int:
    return close_ended_permits()
