"""What routing does when a request is filed or changes status (connected in RoutingConfig.ready)."""

import logging

from django.db import transaction
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from config.after_response import after_response

from .clocks import follow_status
from .tasks import route_request_task

logger = logging.getLogger(__name__)


def route_filed_request(sender, service_request, **kwargs) -> None:
    service_request_id = service_request.pk
    # Published once the resident has their answer: the request row already waits as "pending".
    transaction.on_commit(lambda: after_response(lambda: _enqueue_routing(service_request_id)))


def _enqueue_routing(service_request_id: int) -> None:
    # The request is already filed and waits in the database (routing_state "pending"); if the broker is
    # unreachable the routing sweep picks it up later, so a publishing error must never reach the resident.
    try:
        route_request_task.delay(service_request_id)
    except (KombuError, RedisError, OSError):
        logger.warning(
            "could not enqueue routing of request %s; the sweep will route it", service_request_id, exc_info=True
        )


def follow_status_change(sender, service_request, old_status, new_status, at, **kwargs) -> None:
    follow_status(service_request, old=old_status, new=new_status, at=at)
