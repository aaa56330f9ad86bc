"""Background work of the integrations. Tasks take ids; the outbox rows are the durable state."""

import logging

from celery import shared_task

from . import delivery, outbox
from .models import OnwardDestination
from .open311_client import ReceiverError

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def deliver_outbox_message_task(self, message_id: int):
    """Send one outbox message; when the receiver fails, retry after the row's growing pause."""
    state, retry_in = delivery.deliver_message(message_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return state


@shared_task
def deliver_due_messages_task() -> int:
    """Beat: send what is due and not held back (its task was lost, Redis was down, a worker died)."""
    ids = outbox.due_queue_heads()
    outbox.enqueue_delivery(ids)
    return len(ids)


@shared_task
def poll_onward_updates_task() -> None:
    """Beat: ask every Open311 destination for the updates of the requests handed to it."""
    for destination_id in OnwardDestination.objects.filter(
        active=True, poll_updates=True, kind=OnwardDestination.Kind.OPEN311
    ).values_list("pk", flat=True):
        poll_destination_task.delay(destination_id)


@shared_task(acks_late=True)
def poll_destination_task(destination_id: int) -> int:
    try:
        return delivery.poll_destination(destination_id)
    except ReceiverError as exc:
        # The next beat asks again over a window that covers this one.
        logger.warning("destination %s did not answer the update poll: %s", destination_id, exc)
        return 0
