"""The outbox through a real Celery worker on the real Redis broker: a receiver that is down loses nothing."""

import time

import pytest

from integrations.events import Event
from integrations.models import OutboxMessage
from integrations.tasks import deliver_due_messages_task
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.celery_worker import running_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery]


def wait_for(condition, seconds=60, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds}s")


def test_while_the_receiver_is_down_nothing_is_lost_and_afterwards_each_message_arrives_once_in_order(
    potholes_to_public_works, contractor, subscription, receiver, file_pothole, settings
):
    settings.INTEGRATIONS_RETRY_BASE_SECONDS = 0.2
    settings.INTEGRATIONS_RETRY_MAX_SECONDS = 1.0
    receiver.down = True
    with running_worker():
        requests = [file_pothole(description=f"Pothole {n}") for n in range(3)]
        wait_for(lambda: OutboxMessage.objects.filter(event=Event.HANDOVER).count() == 3, what="routing")
        for sr in requests:
            sr.refresh_from_db()
            change_status(sr, to=Status.ACKNOWLEDGED)
            change_status(sr, to=Status.CLOSED)
        wait_for(lambda: OutboxMessage.objects.filter(attempts__gte=3).exists(), what="several failed attempts")
        assert receiver.filed == [] and receiver.webhooks == []

        receiver.down = False
        wait_for(lambda: not OutboxMessage.objects.undelivered().exists(), what="delivery of everything")
        deliver_due_messages_task.delay()  # a sweep after the fact sends nothing twice
        time.sleep(1)

    messages = list(OutboxMessage.objects.order_by("id"))
    assert {m.state for m in messages} == {OutboxMessage.State.DELIVERED}
    webhook_ids = [headers["webhook-id"] for headers, _body in receiver.webhooks]
    assert sorted(webhook_ids) == sorted(m.message_id for m in messages if m.subscription_id)  # each exactly once
    assert len(receiver.filed) == 3
    for sr in requests:
        arrived = [
            body["type"] for _headers, body in receiver.webhooks if body["data"]["service_request_id"] == sr.public_id
        ]
        assert arrived == [Event.FILED, Event.ROUTED, Event.STATUS_CHANGED, Event.STATUS_CHANGED, Event.CLOSED]
