"""Reads of personal data: for the requester themselves, and for staff under a consent, logged."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest

from .models import AccessLog, Consent, Contact, Notification
from .notifications import Event
from .permissions import may_see_contact
from .purposes import Purpose
from .services import PERSONAL_FIELDS, ContactDetails
from .wording import consent_wording


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def data_held_for(service_request_id: int) -> dict:
    """Everything we hold about the requester of one request, as plain data for their page and JSON download."""
    sr = (ServiceRequest.objects.select_related("jurisdiction").only("public_id", "closed_at", "jurisdiction")
          .get(pk=service_request_id))
    contact = Contact.objects.filter(service_request_id=service_request_id).first()
    consents = Consent.objects.filter(service_request_id=service_request_id)
    return {
        "request": sr.public_id,
        "retention_days_after_closing": sr.jurisdiction.contact_retention_days,
        "request_closed_at": _iso(sr.closed_at),
        "contact": None if contact is None else {
            "details": {name: getattr(contact, name) for name in PERSONAL_FIELDS if getattr(contact, name)},
            "language": contact.language,
            "given_at": _iso(contact.created_at),
            "erased_at": _iso(contact.erased_at),
        },
        "consents": [{
            "purpose": c.purpose,
            "purpose_label": str(Purpose(c.purpose).label),
            "live": c.is_live,
            "wording_version": c.wording_version,
            "wording": consent_wording(c.purpose, c.wording_version),
            "channel": c.channel,
            "how_given": c.get_how_given_display(),
            "language": c.language,
            "given_at": _iso(c.given_at),
            "withdrawn_at": _iso(c.withdrawn_at),
            "ended_by": c.get_ended_by_display() if c.ended_by else "",
        } for c in consents],
        # Who looked is a staff matter; the requester sees when and why.
        "staff_views": [{"at": _iso(log.at), "reason": log.reason, "purposes": log.purposes}
                        for log in AccessLog.objects.filter(service_request_id=service_request_id)],
        "messages": [{"event": n.event, "event_label": str(Event(n.event).label) if n.event in Event.values else n.event,
                      "medium": n.get_medium_display(), "state": n.get_state_display(),
                      "created_at": _iso(n.created_at), "sent_at": _iso(n.sent_at)}
                     for n in Notification.objects.filter(service_request_id=service_request_id)],
    }


def live_purposes(service_request_id: int) -> frozenset[str]:
    return frozenset(Consent.objects.live().filter(service_request_id=service_request_id)
                     .values_list("purpose", flat=True))


def contact_for_staff(*, service_request: ServiceRequest, user, reason: str) -> ContactDetails | None:
    """The request's contact for a staff member, limited to the purposes still consented to; every look logged.

    Returns None when nothing may be shown (no contact, erased, or no live consent). Raises PermissionDenied if
    the user may not see this request's contact, ValidationError without a reason.
    """
    if not may_see_contact(user, service_request):
        raise PermissionDenied(_("You may not see the contact of this request."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you need the contact."), code="reason_required")
    purposes = live_purposes(service_request.pk)
    contact = Contact.objects.filter(service_request_id=service_request.pk, erased_at__isnull=True).first()
    shown = contact is not None and bool(purposes)
    AccessLog.objects.create(service_request_id=service_request.pk, user=user, username=user.get_username(),
                             reason=reason[:300], purposes=sorted(purposes) if shown else [])
    if not shown:
        return None
    return ContactDetails(**{name: getattr(contact, name) for name in PERSONAL_FIELDS},
                          language=contact.language, purposes=purposes)
