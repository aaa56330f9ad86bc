"""Operators see stuck deliveries in the admin and retry or stop them; other staff don't see the outbox."""

import pytest
from django.utils import timezone

from integrations.delivery import deliver_message
from integrations.events import Event
from integrations.models import OutboxMessage
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/integrations/outboxmessage/"


@pytest.fixture
def stuck(subscription, receiver, file_pothole):
    receiver.down = True
    message = OutboxMessage.objects.get(service_request=file_pothole(), event=Event.FILED)
    OutboxMessage.objects.filter(pk=message.pk).update(give_up_at=timezone.now())
    deliver_message(message.pk)
    return OutboxMessage.objects.get(pk=message.pk)


def test_an_operator_finds_a_stuck_message_with_its_error_and_sends_it_again(
    client, operator, stuck, receiver, django_capture_on_commit_callbacks
):
    sign_in(client, operator)  # the admin asks for the second factor too
    page = client.get(CHANGELIST + "?state=failed").content.decode()
    assert stuck.message_id in page or f">{stuck.pk}<" in page
    assert "HTTP 503" in page

    receiver.down = False
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(CHANGELIST, {"action": "retry", "_selected_action": [stuck.pk]})
    assert OutboxMessage.objects.get(pk=stuck.pk).state == OutboxMessage.State.PENDING
    assert callbacks
    assert deliver_message(stuck.pk)[0] == OutboxMessage.State.DELIVERED
    assert len(receiver.webhooks) == 1


def test_an_operator_stops_a_message(client, operator, stuck):
    sign_in(client, operator)  # the admin asks for the second factor too
    client.post(CHANGELIST, {"action": "stop", "_selected_action": [stuck.pk]})

    assert OutboxMessage.objects.get(pk=stuck.pk).state == OutboxMessage.State.STOPPED


def test_department_staff_do_not_see_the_outbox(client, staff, stuck):
    sign_in(client, staff)

    assert client.get(CHANGELIST).status_code in (302, 403)
    assert client.post(CHANGELIST, {"action": "stop", "_selected_action": [stuck.pk]}).status_code in (302, 403)
    assert OutboxMessage.objects.get(pk=stuck.pk).state == OutboxMessage.State.FAILED
