"""Writing to the outbox, inside the transaction of the change: the message exists exactly when the change does.

``record_events`` is called by the services that change requests (filing, routing, status changes, permit
decisions). It writes one row per interested receiver and asks for sending once the transaction commits; the
beat sweep sends what that ask missed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from config.config_cache import cached

from .events import Event
from .models import OnwardDestination, OnwardLink, OutboxMessage, WebhookSubscription
from .payloads import public_request_data

logger = logging.getLogger(__name__)


def record_events(service_requests, event: str, *, extra: dict | None = None) -> list[OutboxMessage]:
    """Queue ``event`` about each request for every subscription that wants it and, when routed, hand the
    requests to their onward destination. Must run inside the transaction of the change.

    ``extra`` adds public fields to every webhook's data (e.g. the old status). Returns the messages written.
    """
    srs = list(service_requests)
    if not srs:
        return []
    jurisdiction_ids = {sr.jurisdiction_id for sr in srs}
    subscriptions = [s for j in sorted(jurisdiction_ids) for s in _active_subscriptions(j) if event in s.events]
    destinations = (
        list(OnwardDestination.objects.filter(active=True, jurisdiction_id__in=jurisdiction_ids))
        if event == Event.ROUTED
        else []
    )
    if not subscriptions and not destinations:
        return []
    now = timezone.now()
    give_up_at = now + timedelta(hours=settings.INTEGRATIONS_GIVE_UP_AFTER_HOURS)
    messages = []
    interested = {sr.pk: [s for s in subscriptions if _wants(s, sr)] for sr in srs}
    data = public_request_data([sr for sr in srs if interested[sr.pk]])
    for sr in srs:
        for subscription in interested[sr.pk]:
            messages.append(
                OutboxMessage(
                    service_request=sr,
                    subscription=subscription,
                    event=event,
                    created_at=now,
                    next_attempt_at=now,
                    give_up_at=give_up_at,
                    payload={**data[sr.pk], **(extra or {})},
                )
            )
    linked = set(OnwardLink.objects.filter(service_request__in=srs).values_list("service_request_id", "destination_id"))
    linked |= set(
        OutboxMessage.objects.filter(service_request__in=srs, destination__isnull=False)
        .exclude(state=OutboxMessage.State.STOPPED)
        .values_list("service_request_id", "destination_id")
    )
    for sr in srs:
        for destination in destinations:
            if _hands_over(destination, sr) and (sr.pk, destination.pk) not in linked:
                messages.append(
                    OutboxMessage(
                        service_request=sr,
                        destination=destination,
                        event=Event.HANDOVER,
                        created_at=now,
                        next_attempt_at=now,
                        give_up_at=give_up_at,
                    )
                )
                linked.add((sr.pk, destination.pk))
    created = OutboxMessage.objects.bulk_create(messages)
    ids = [m.pk for m in created]
    transaction.on_commit(lambda: enqueue_delivery(ids))
    return created


def _active_subscriptions(jurisdiction_id: int) -> list[WebhookSubscription]:
    # Read by every filing and status change, changed by operators now and then: kept per process (config_cache).
    return cached(
        ("webhook_subscriptions", jurisdiction_id),
        lambda: list(WebhookSubscription.objects.filter(active=True, jurisdiction_id=jurisdiction_id).order_by("pk")),
    )


def _wants(subscription: WebhookSubscription, sr) -> bool:
    return (
        subscription.jurisdiction_id == sr.jurisdiction_id
        and subscription.department_id in (None, sr.department_id)
        and subscription.service_type_id in (None, sr.service_type_id)
    )


def _hands_over(destination: OnwardDestination, sr) -> bool:
    if destination.jurisdiction_id != sr.jurisdiction_id:
        return False
    if destination.service_type_id is not None and destination.service_type_id != sr.service_type_id:
        return False
    return destination.department_id in (None, sr.department_id)


def enqueue_delivery(message_ids: list[int]) -> None:
    """Ask a worker to send these messages. A lost ask is harmless: the row waits for the sweep."""
    from .tasks import deliver_outbox_message_task  # tasks import the delivery, which imports this module

    for message_id in message_ids:
        try:
            deliver_outbox_message_task.delay(message_id)
        except (KombuError, RedisError, OSError):
            logger.warning("could not enqueue outbox message %s; the sweep will send it", message_id, exc_info=True)
            return


def due_queue_heads(*, limit: int = 500) -> list[int]:
    """Pending messages whose time has come and that nothing earlier in their queue holds back."""
    same_receiver = Q(destination_id=OuterRef("destination_id"), subscription__isnull=True) | Q(
        subscription_id=OuterRef("subscription_id"), destination__isnull=True
    )
    earlier = OutboxMessage.objects.undelivered().filter(
        same_receiver, service_request_id=OuterRef("service_request_id"), id__lt=OuterRef("id")
    )
    return list(
        OutboxMessage.objects.due().filter(~Exists(earlier)).order_by("id").values_list("id", flat=True)[:limit]
    )
