"""The privacy canary for what leaves Civic311: webhook payloads and requests handed onward.

Contact details go onward only under the consent that the department may contact the resident, and only the
fields the destination needs; webhooks never carry them, nor the identifiers residents write into their text.
"""

import json
import uuid

import pytest

from contacts.purposes import Purpose
from integrations.delivery import deliver_message
from integrations.models import OnwardDestination, OutboxMessage
from requests_app.services import change_status
from requests_app.statuses import Status
from routing.router import route_request

pytestmark = pytest.mark.django_db

RUN = uuid.uuid4().hex[:8]
CONTACT = {"first_name": f"Canaryfirst{RUN}", "email": f"canary-{RUN}@example.org", "phone": "+1 415 555 7731"}
WRITTEN = f"Ring me at +1 415 555 8842 or written-{RUN}@example.org"
NEEDLES = [*CONTACT.values(), "4155557731", "555 7731", "555 8842", f"written-{RUN}@example.org"]


def _leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


@pytest.fixture
def webhook_destination(jurisdiction, pothole, receiver, secret):
    return OnwardDestination.objects.create(
        jurisdiction=jurisdiction,
        name="Asset system",
        kind=OnwardDestination.Kind.WEBHOOK,
        url=receiver.base_url + "hooks/handover",
        secret=secret,
        service_type=pothole,
        contact_fields=["first_name", "email", "phone"],
    )


def _deliver_everything():
    for message in OutboxMessage.objects.order_by("id"):
        deliver_message(message.pk)


def test_webhooks_and_onward_requests_carry_no_contact_without_the_consent_that_covers_the_receiver(
    potholes_to_public_works, contractor, webhook_destination, subscription, receiver, file_pothole
):
    sr = file_pothole(description=WRITTEN, purposes=(Purpose.STATUS_UPDATES,), **CONTACT)
    route_request(sr.pk)
    sr.refresh_from_db()
    change_status(sr, to=Status.ACKNOWLEDGED, public_note="We will call +1 415 555 7731 back")
    change_status(sr, to=Status.CLOSED)
    _deliver_everything()

    assert not OutboxMessage.objects.exclude(state=OutboxMessage.State.DELIVERED).exists()
    assert len(receiver.webhooks) == 6 and len(receiver.filed) == 1  # 5 events and 1 webhook handover
    assert _leaks(json.dumps([body for _headers, body in receiver.webhooks])) == []
    assert _leaks(json.dumps(receiver.filed)) == []
    assert _leaks(json.dumps(list(OutboxMessage.objects.values_list("payload", flat=True)))) == []


def test_with_the_consent_only_the_fields_each_destination_needs_go_there_and_webhooks_still_carry_none(
    potholes_to_public_works, contractor, webhook_destination, subscription, receiver, file_pothole
):
    sr = file_pothole(description=WRITTEN, purposes=(Purpose.DEPARTMENT_QUESTIONS,), **CONTACT)
    route_request(sr.pk)
    _deliver_everything()

    open311 = dict(receiver.filed[0])
    assert open311["email"] == CONTACT["email"]
    assert _leaks(json.dumps({k: v for k, v in open311.items() if k not in ("email", "description")})) == []
    (handover,) = [body for _h, body in receiver.webhooks if body["type"] == "request.handover"]
    assert handover["data"]["contact"] == CONTACT
    subscriber_bodies = [body for _h, body in receiver.webhooks if body["type"] != "request.handover"]
    assert subscriber_bodies and _leaks(json.dumps(subscriber_bodies)) == []
