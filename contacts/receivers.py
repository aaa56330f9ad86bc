"""What contacts does when a request is filed or changes status (connected in ContactsConfig.ready)."""

from .notifications import Event
from .services import ContactDetails, notify_requester, queue_area_alerts, save_contact


def keep_filed_contact(sender, service_request, submission, **kwargs) -> None:
    kept = save_contact(
        service_request_id=service_request.pk,
        details=submission.contact or ContactDetails(),
        tracking_token=service_request.tracking_token,
        channel=service_request.channel,
    )
    if kept is not None:
        # The resident who asked for updates gets the tracking link at once, so losing the page loses nothing.
        # (A request filed a moment ago has no consent but the ones just kept: without them, nothing to ask.)
        notify_requester(service_request.pk, Event.RECEIVED)
    queue_area_alerts(service_request)


def tell_requester_of_status_change(sender, service_request, old_status, new_status, public_note, **kwargs) -> None:
    if new_status != old_status or public_note:
        # Only what the requester may see is worth a message; an internal note alone is not. Without a live
        # consent for status updates nothing is queued.
        notify_requester(service_request.pk, Event.STATUS_CHANGED)
