"""What other systems hear of a request's changes: outbox rows written in the transaction of the change
(connected in IntegrationsConfig.ready)."""

from requests_app.statuses import CLOSED_STATUSES

from .events import Event
from .outbox import record_events


def announce_filed_request(sender, service_request, **kwargs) -> None:
    record_events([service_request], Event.FILED)


def announce_routed_requests(sender, service_requests, **kwargs) -> None:
    record_events(service_requests, Event.ROUTED)


def announce_status_change(sender, service_request, old_status, new_status, **kwargs) -> None:
    if new_status == old_status:
        return
    record_events([service_request], Event.STATUS_CHANGED, extra={"old_status": old_status})
    if new_status in CLOSED_STATUSES:
        record_events([service_request], Event.CLOSED)
