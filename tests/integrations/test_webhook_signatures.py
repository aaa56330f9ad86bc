"""Webhooks follow Standard Webhooks: checked here with the reference library and the receiver in the docs."""

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from integrations.delivery import deliver_message
from integrations.events import Event
from integrations.models import OutboxMessage, new_webhook_secret
from integrations.signing import signed_request

pytestmark = pytest.mark.django_db

DOCS_RECEIVER = Path(__file__).resolve().parents[2] / "docs" / "webhook_receiver.py"


def _docs_receiver_class():
    spec = importlib.util.spec_from_file_location("webhook_receiver", DOCS_RECEIVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Civic311WebhookReceiver


def test_a_filed_request_reaches_the_subscriber_signed_as_the_reference_library_checks(
    subscription, receiver, file_pothole
):
    sr = file_pothole()
    message = OutboxMessage.objects.get(service_request=sr, subscription=subscription)

    assert deliver_message(message.pk) == ("delivered", None)

    headers, body = receiver.webhooks[0]
    assert receiver.refused == []
    assert headers["webhook-id"] == message.message_id
    assert body["type"] == Event.FILED
    assert body["data"]["service_request_id"] == sr.public_id
    assert body["data"]["request"]["service_code"] == "pothole"


def test_while_a_secret_is_rotated_each_message_carries_a_signature_that_either_secret_verifies():
    old, new = new_webhook_secret(), new_webhook_secret()
    body, headers = signed_request(message_id="msg_1", body={"type": "request.filed", "data": {}}, secrets=[old, new])

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(sig.startswith("v1,") for sig in headers["webhook-signature"].split(" "))
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "request.filed", "data": {}}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(body, headers)


def test_a_changed_body_fails_verification():
    secret = new_webhook_secret()
    body, headers = signed_request(message_id="msg_1", body={"data": {"status": "open"}}, secrets=[secret])

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"open", b"done"), headers)


def test_the_docs_receiver_accepts_a_fresh_message_once_and_refuses_an_old_timestamp():
    secret = new_webhook_secret()
    receiver = _docs_receiver_class()(secret)
    body, headers = signed_request(
        message_id="msg_fresh", body={"type": "request.closed", "data": {}}, secrets=[secret]
    )
    assert receiver.handle(body, headers) == (200, "ok")
    assert receiver.handle(body, headers) == (200, "already handled")

    captured_long_ago = datetime.now(UTC) - timedelta(minutes=10)
    body, headers = signed_request(
        message_id="msg_replayed", body={"type": "request.closed", "data": {}}, secrets=[secret], now=captured_long_ago
    )
    assert Webhook(secret).sign("msg_replayed", captured_long_ago, body.decode()) == headers["webhook-signature"]
    assert receiver.handle(body, headers) == (400, "Message timestamp too old")


def test_subscriptions_filter_by_department_and_service_type(
    jurisdiction, receiver, secret, file_pothole, potholes_to_public_works, department, other_department
):
    from integrations.models import WebhookSubscription
    from routing.router import route_request

    ours = WebhookSubscription.objects.create(
        jurisdiction=jurisdiction, url=receiver.base_url + "hooks", events=[Event.ROUTED], department=department
    )
    theirs = WebhookSubscription.objects.create(
        jurisdiction=jurisdiction, url=receiver.base_url + "hooks", events=[Event.ROUTED], department=other_department
    )
    sr = file_pothole()
    route_request(sr.pk)

    assert OutboxMessage.objects.filter(subscription=ours, event=Event.ROUTED).count() == 1
    assert not OutboxMessage.objects.filter(subscription=theirs).exists()


def test_a_receiver_answering_gone_ends_its_subscription(subscription, receiver, file_pothole):
    subscription.url = receiver.base_url + "gone"
    subscription.save()
    receiver.server.RequestHandlerClass.do_POST = lambda handler: handler._answer(410, {})
    message = OutboxMessage.objects.get(service_request=file_pothole(), subscription=subscription)

    assert deliver_message(message.pk)[0] == OutboxMessage.State.STOPPED
    subscription.refresh_from_db()
    assert not subscription.active
    assert json.dumps(message.payload)  # the payload stays for the operator to read


def test_messages_for_a_subscription_switched_off_are_stopped_not_sent(subscription, receiver, file_pothole):
    sr = file_pothole()
    (first,) = OutboxMessage.objects.filter(service_request=sr, subscription=subscription)
    subscription.active = False
    subscription.save()

    assert deliver_message(first.pk)[0] == OutboxMessage.State.STOPPED
    assert receiver.webhooks == []


def test_the_sweep_finds_what_is_due_and_not_held_back_by_an_earlier_message(subscription, file_pothole):
    from django.utils import timezone

    from integrations.outbox import due_queue_heads
    from requests_app.services import change_status
    from requests_app.statuses import Status

    sr = file_pothole()
    change_status(sr, to=Status.ACKNOWLEDGED)
    later = file_pothole()
    filed, acknowledged = OutboxMessage.objects.filter(service_request=sr).order_by("id")
    other = OutboxMessage.objects.get(service_request=later)
    OutboxMessage.objects.filter(pk=other.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    assert due_queue_heads() == [filed.pk]  # the status change waits behind the filing; the other is not due
    OutboxMessage.objects.filter(pk=filed.pk).update(state=OutboxMessage.State.DELIVERED)
    assert due_queue_heads() == [acknowledged.pk]
