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


def tell_requester_of_status_change(
    sender, service_request, old_status, new_status, public_note, question=False, **kwargs
) -> None:
    event = message_for(old_status=old_status, new_status=new_status, public_note=public_note, question=question)
    if event is not None:
        notify_requester(service_request.pk, event, coalesce=event == Event.STATUS_CHANGED)


def message_for(*, old_status: str, new_status: str, public_note: str, question: bool = False) -> str | None:
    """The one rule for what a requester hears of a change to their request: a question from the department, or a
    new status or a public note; an internal note alone is not worth a message.

    The message is queued in the change's transaction and leaves on commit, only under a live consent for its
    purpose (notify_requester); a status message still waiting to leave is not queued twice, since it reads the
    request's status when it is sent (holding a new request acknowledges it first: one message).
    """
    if question:
        return Event.DEPARTMENT_QUESTION
    if new_status != old_status or public_note:
        return Event.STATUS_CHANGED
    return None
