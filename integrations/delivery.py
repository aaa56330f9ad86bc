"""Sending outbox messages, and taking back what onward destinations report.

A message is sent while its row is locked (two workers never send it at once), only once every earlier message
to the same receiver about the same request has left, and its outcome is saved in the same transaction.
"""

import logging
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.services import contact_for_handover
from open311_format.mapping import inbound_fms_target
from requests_app.models import Photo, ServiceRequest
from requests_app.services import change_status
from requests_app.statuses import ALLOWED_TRANSITIONS

from . import open311_client
from .models import OnwardDestination, OnwardLink, OutboxMessage, ReceivedUpdate
from .open311_client import ReceiverError
from .payloads import absolute_url
from .signing import signed_request

logger = logging.getLogger(__name__)


def backoff_seconds(attempts: int) -> float:
    """The pause before the next try after ``attempts`` failed ones: doubling, capped."""
    return min(
        settings.INTEGRATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.INTEGRATIONS_RETRY_MAX_SECONDS
    )


def deliver_message(message_id: int) -> tuple[str, float | None]:
    """Try to send one outbox message. Returns (what happened, seconds until the next try or None).

    Never raises for a receiver's failure: the row keeps the error and the next try.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("destination", "subscription")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "busy", None  # another worker is sending it, or it was deleted with its request
        if message.state != OutboxMessage.State.PENDING:
            return message.state, None
        now = timezone.now()
        if message.next_attempt_at > now + timedelta(seconds=1):
            return "later", None
        if OutboxMessage.objects.in_queue_of(message).undelivered().filter(id__lt=message.id).exists():
            return "waiting", None  # the earlier message, once delivered or stopped, sends this one on
        if not message.receiver.active:
            # An operator switched the receiver off: what was waiting for it is not sent later by surprise.
            message.state, message.last_error = OutboxMessage.State.STOPPED, "receiver switched off"
            message.save(update_fields=["state", "last_error"])
            send_next_in_queue(message)
            return message.state, None
        message.attempts += 1
        try:
            _send(message)
        except ReceiverError as exc:
            return _failed(message, str(exc), permanent=exc.permanent, now=now)
        message.state, message.delivered_at, message.last_error = OutboxMessage.State.DELIVERED, now, ""
        message.save(update_fields=["attempts", "state", "delivered_at", "last_error"])
        send_next_in_queue(message)
        return message.state, None


def _failed(message: OutboxMessage, error: str, *, permanent: bool, now) -> tuple[str, float | None]:
    message.last_error = error[:300]
    if message.subscription_id and error.startswith("HTTP 410"):
        # Standard Webhooks: 410 Gone means the receiver wants no more messages.
        message.subscription.active = False
        message.subscription.save(update_fields=["active"])
        message.state = OutboxMessage.State.STOPPED
        message.save(update_fields=["attempts", "state", "last_error"])
        send_next_in_queue(message)
        return message.state, None
    if permanent or now >= message.give_up_at:
        message.state = OutboxMessage.State.FAILED
        message.save(update_fields=["attempts", "state", "last_error"])
        logger.warning("outbox message %s is stuck after %d attempts: %s", message.pk, message.attempts, error)
        return message.state, None
    pause = backoff_seconds(message.attempts)
    message.next_attempt_at = now + timedelta(seconds=pause)
    message.save(update_fields=["attempts", "next_attempt_at", "last_error"])
    logger.info("outbox message %s: %s; next try in %ss", message.pk, error, pause)
    return "retry", pause


def send_next_in_queue(message: OutboxMessage) -> None:
    """After a message left (or was stopped), send the next one to the same receiver about the same request."""
    from .outbox import enqueue_delivery

    following = (
        OutboxMessage.objects.in_queue_of(message)
        .filter(state=OutboxMessage.State.PENDING, id__gt=message.id)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if following:
        transaction.on_commit(lambda: enqueue_delivery([following]))


def _send(message: OutboxMessage) -> None:
    if message.subscription_id:
        subscription = message.subscription
        body = {"type": message.event, "timestamp": message.created_at.isoformat(), "data": message.payload}
        _post_signed(subscription.url, message.message_id, body, subscription.secret_list)
        return
    _hand_over(message)


def _post_signed(url: str, message_id: str, body: dict, secrets: list[str]) -> httpx.Response:
    content, headers = signed_request(message_id=message_id, body=body, secrets=secrets)
    try:
        with open311_client.http_client() as client:
            response = client.post(url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        raise ReceiverError(type(exc).__name__) from None
    open311_client.raise_for(response)
    return response


def _hand_over(message: OutboxMessage) -> None:
    destination = message.destination
    sr = ServiceRequest.objects.select_related("service_type", "jurisdiction").get(pk=message.service_request_id)
    # The resident's consent covers the department handling the request: a destination of another department
    # (the request moved since) gets nothing about them.
    covered = destination.department_id in (None, sr.department_id)
    contact = contact_for_handover(service_request_id=sr.pk, fields=destination.contact_fields) if covered else {}
    # What the resident typed may name them; unmasked only when they let the department contact them.
    description = sr.description if contact else sr.public_description
    # Only the blurred public copies leave: the originals never leave the server.
    photos = [
        absolute_url(p.public_image.url) if p.public_image else p.external_url
        for p in Photo.objects.public().filter(service_request=sr).order_by("created_at", "id")
    ]
    lat, lon = (sr.location.y, sr.location.x) if sr.location else (None, None)
    if destination.kind == OnwardDestination.Kind.OPEN311:
        fields = open311_client.request_fields(
            destination=destination,
            service_code=destination.remote_code(sr.service_type.code),
            lat=lat,
            lon=lon,
            address=sr.address,
            address_id=sr.address_id,
            description=description,
            answers=sr.answers,
            media_url=photos[0] if photos else "",
            contact=contact,
        )
        external_id, token = open311_client.post_request(destination, fields)
    else:
        body = {
            "type": message.event,
            "timestamp": message.created_at.isoformat(),
            "data": {
                "jurisdiction_id": sr.jurisdiction.slug,
                "service_request_id": sr.public_id,
                "service_code": destination.remote_code(sr.service_type.code),
                "service_name": sr.service_type.name,
                "description": description,
                "lat": lat,
                "long": lon,
                "address": sr.address,
                "answers": sr.answers,
                "media_urls": photos,
                "requested_datetime": sr.submitted_at.isoformat(),
                "contact": contact,
            },
        }
        response = _post_signed(destination.url, message.message_id, body, [destination.secret])
        try:
            external_id = str((response.json() or {}).get("external_id") or "")[:100]
        except (ValueError, AttributeError):
            external_id = ""
        token = ""
    OnwardLink.objects.update_or_create(
        service_request=sr, destination=destination, defaults={"external_id": external_id, "token": token}
    )
    with translation.override(sr.jurisdiction.default_language):
        note = (
            _("Handed to %(name)s; their reference: %(id)s.") % {"name": destination.name, "id": external_id}
            if external_id
            else _("Handed to %(name)s.") % {"name": destination.name}
        )
    change_status(sr, to=sr.status, internal_note=note)


# ---- Taking updates back ---------------------------------------------------------------------------------------


def poll_destination(destination_id: int) -> int:
    """Ask an Open311 destination what happened to the requests handed to it; apply each new status through
    the status pipeline. Returns how many updates were new. Raises ReceiverError when the destination fails."""
    destination = OnwardDestination.objects.get(pk=destination_id)
    now = timezone.now()
    for link in OnwardLink.objects.filter(destination=destination, external_id="").exclude(token=""):
        external_id = open311_client.id_for_token(destination, link.token)
        if external_id:
            OnwardLink.objects.filter(pk=link.pk).update(external_id=external_id)
    # Overlap the last window a little: a change saved there just as we asked is not missed, and a repeat is
    # dropped by its key.
    start = (destination.last_polled_at or now - timedelta(days=1)) - timedelta(minutes=5)
    updates = open311_client.updates_between(destination, start, now)
    if updates is None:
        open_ids = list(
            OnwardLink.objects.filter(destination=destination, service_request__closed_at__isnull=True)
            .exclude(external_id="")
            .values_list("external_id", flat=True)[:500]
        )
        updates = open311_client.current_states(destination, open_ids)
    updates.sort(key=lambda u: (u["at"] is None, u["at"] or now))
    applied = sum(apply_update(destination, update) for update in updates)
    OnwardDestination.objects.filter(pk=destination.pk).update(last_polled_at=now)
    return applied


@transaction.atomic
def apply_update(destination: OnwardDestination, update: dict) -> bool:
    """Record one update from a destination in its request's history, moving the status if the pipeline allows.

    Returns False for an update already taken or about a request we did not hand over.
    """
    link = (
        OnwardLink.objects.select_related("service_request__jurisdiction")
        .filter(destination=destination, external_id=update["service_request_id"])
        .first()
    )
    if link is None:
        return False
    _received, created = ReceivedUpdate.objects.get_or_create(link=link, key=update["key"][:200])
    if not created:
        return False
    sr = ServiceRequest.objects.select_for_update().get(pk=link.service_request_id)
    wire = update["status"].strip()
    target = inbound_fms_target(wire.replace(" ", "_"), sr.status, ALLOWED_TRANSITIONS[sr.status])
    with translation.override(sr.jurisdiction.default_language):
        internal = _("%(name)s reports the status “%(status)s”.") % {"name": destination.name, "status": wire}
        if target is None:
            internal += " " + _("The status here was kept: that step can't follow the current one.")
    change_status(sr, to=target or sr.status, public_note=update["description"][:2000], internal_note=internal)
    OnwardLink.objects.filter(pk=link.pk).update(remote_status=wire[:60])
    return True


# ---- Operators ---------------------------------------------------------------------------------------------------


@transaction.atomic
def retry_messages(message_ids) -> int:
    """An operator sends stuck or stopped messages again now, with a fresh retry period. Returns how many."""
    from .outbox import enqueue_delivery

    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(pk__in=message_ids)
        .exclude(state=OutboxMessage.State.DELIVERED)
        .values_list("id", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=ids).update(
        state=OutboxMessage.State.PENDING,
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=settings.INTEGRATIONS_GIVE_UP_AFTER_HOURS),
    )
    transaction.on_commit(lambda: enqueue_delivery(ids))
    return len(ids)


@transaction.atomic
def stop_messages(message_ids) -> int:
    """An operator gives up on messages not yet delivered; the ones behind them in their queues go on."""
    messages = list(OutboxMessage.objects.select_for_update().filter(pk__in=message_ids).undelivered())
    for message in messages:
        message.state = OutboxMessage.State.STOPPED
        message.save(update_fields=["state"])
        send_next_in_queue(message)
    return len(messages)
