"""Routing in the background. Tasks take ids and call a service; a request's routing_state is the durable queue."""

from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction

from config.after_response import after_response
from config.queueing import enqueue
from requests_app.models import Jurisdiction

from . import escalation, learning, router, sweep


@shared_task
def route_request_task(service_request_id: int) -> None:
    """Route one request; a second delivery finds it routed and does nothing."""
    router.route_request(service_request_id)


def route_after_commit(service_request_id: int) -> None:
    """Route the request in Celery once the transaction that left it waiting (routing_state "pending") commits:
    after filing, and after staff change its type.

    If the broker is unreachable the routing sweep (route_waiting_requests) routes it later, so a publishing
    error never reaches the resident or the staff member.
    """
    # Published once the person has their answer (config.after_response); the row already waits as "pending".
    transaction.on_commit(lambda: after_response(partial(enqueue, route_request_task, service_request_id)))


@shared_task
def route_waiting_requests_task() -> int:
    """Beat: route requests whose task was lost or never sent (Redis down at filing)."""
    return sweep.route_waiting_requests(older_than_seconds=settings.ROUTING_SWEEP_AFTER_SECONDS)


@shared_task
def escalate_overdue_requests_task() -> int:
    """Beat: mark requests past their SLA target overdue, raise priority, notify each escalation level reached."""
    return escalation.escalate_overdue_requests()


@shared_task
def deliver_escalation_notices_task() -> int:
    """Beat: send escalation notices still waiting, or failed and due for another try."""
    return escalation.deliver_escalation_notices()


@shared_task
def learn_routing_from_history_task() -> list[int]:
    """Beat (ROUTING_LEARN_FROM_HISTORY schedules it): a draft rule set for each city that switched learning
    from its own history on in its routing settings. Returns the new drafts' ids; nothing is activated.
    """
    drafts = []
    for jurisdiction in Jurisdiction.objects.filter(routing_settings__learn_from_history=True).order_by("pk"):
        learned = learning.learn_from_own_history(jurisdiction)
        if learned is not None:
            drafts.append(learned.rule_set.pk)
    return drafts
