"""Reads of personal data: for the requester themselves, and for staff under a consent, logged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest

from .models import AccessLog, Consent, Contact, Notification
from .notifications import Event
from .permissions import may_call_as_crew, may_see_contact
from .purposes import Purpose
from .services import PERSONAL_FIELDS, ContactDetails
from .wording import APPLICATION_WORDING, consent_wording


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def data_held_for(service_request_id: int) -> dict:
    """Everything we hold about the requester of one request, as plain data for their page and JSON download."""
    sr = ServiceRequest.objects.select_related("jurisdiction").get(pk=service_request_id)
    contact = Contact.objects.filter(service_request_id=service_request_id).first()
    consents = Consent.objects.filter(service_request_id=service_request_id)
    return {
        "request": sr.public_id,
        "retention_days_after_closing": sr.jurisdiction.contact_retention_days,
        "request_closed_at": _iso(sr.closed_at),
        # What they sent with it, as staff hold it, and what the public sees of it.
        "report": {
            "description": sr.description,
            "answers": sr.answers,
            "location": [sr.location.x, sr.location.y] if sr.location else None,
            "address": sr.address,
            "address_id": sr.address_id,
            "zipcode": sr.zipcode,
            "photos": [
                photo.public_image.url if photo.public_image else photo.external_url
                for photo in sr.photos.all()
                if photo.public_image or photo.external_url
            ],
            "public_description": sr.public_description,
            "public_answers": sr.public_answers,
        },
        "contact": None
        if contact is None
        else {
            "details": {name: getattr(contact, name) for name in PERSONAL_FIELDS if getattr(contact, name)},
            "language": contact.language,
            "given_at": _iso(contact.created_at),
            "kept_at_least_until": _iso(contact.keep_until),
            "erased_at": _iso(contact.erased_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_label": str(Purpose(c.purpose).label),
                "live": c.is_live,
                "wording_version": c.wording_version,
                "wording": c.wording
                if c.wording_version == APPLICATION_WORDING
                else consent_wording(c.purpose, c.wording_version),
                "collected_by": c.collected_by,
                "channel": c.channel,
                "how_given": c.get_how_given_display(),
                "language": c.language,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                "ended_by": c.get_ended_by_display() if c.ended_by else "",
            }
            for c in consents
        ],
        # Who looked is a staff matter; the requester sees when and why.
        "staff_views": [
            {"at": _iso(log.at), "reason": log.reason, "purposes": log.purposes}
            for log in AccessLog.objects.filter(service_request_id=service_request_id)
        ],
        "messages": [
            {
                "event": n.event,
                "event_label": str(Event(n.event).label) if n.event in Event.values else n.event,
                "medium": n.get_medium_display(),
                "state": n.get_state_display(),
                "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at),
            }
            for n in Notification.objects.filter(service_request_id=service_request_id)
        ],
    }


def live_purposes(service_request_id: int) -> frozenset[str]:
    return frozenset(
        Consent.objects.live().filter(service_request_id=service_request_id).values_list("purpose", flat=True)
    )


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
    AccessLog.objects.create(
        service_request_id=service_request.pk,
        user=user,
        username=user.get_username(),
        reason=reason[:300],
        purposes=sorted(purposes) if shown else [],
    )
    if not shown:
        return None
    return ContactDetails(
        **{name: getattr(contact, name) for name in PERSONAL_FIELDS}, language=contact.language, purposes=purposes
    )


def requester_language(service_request_id: int) -> str:
    """The language the requester wrote in ("" if none was kept): staff replies are sent in it. Not logged: a
    language code says nothing about who the person is."""
    return (
        Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True)
        .values_list("language", flat=True)
        .first()
        or ""
    )


def requests_a_crew_may_call(service_request_ids) -> frozenset[int]:
    """Which of these requests a crew may call about: the department lets its crews call and the requester agreed
    to a crew call and left a phone number. Reads no contact detail (an empty field is stored empty), so it is not
    logged; one query."""
    allowed = ServiceRequest.objects.filter(pk__in=service_request_ids, department__crew_may_call=True).values("pk")
    consented = Consent.objects.live().filter(service_request_id__in=allowed, purpose=Purpose.CREW_CALL)
    return frozenset(
        Contact.objects.filter(service_request_id__in=consented.values("service_request_id"), erased_at__isnull=True)
        .exclude(phone="")
        .values_list("service_request_id", flat=True)
    )


def phone_for_crew(*, service_request: ServiceRequest, user) -> str:
    """The requester's phone number for the crew member sent to the request, to call from the site; the look is
    logged like every staff look.

    Raises PermissionDenied unless the user crews on this request, its department lets crews call and the
    requester agreed to a crew call (and gave a number).
    """
    if not may_call_as_crew(user, service_request):
        raise PermissionDenied(_("Your department does not let crews call about this request."))
    contact = (
        Contact.objects.filter(service_request_id=service_request.pk, erased_at__isnull=True).exclude(phone="").first()
    )
    if contact is None or Purpose.CREW_CALL not in live_purposes(service_request.pk):
        raise PermissionDenied(_("The requester did not agree to a call from the crew."))
    AccessLog.objects.create(
        service_request_id=service_request.pk,
        user=user,
        username=user.get_username(),
        reason=str(Purpose.CREW_CALL.label)[:300],
        purposes=[Purpose.CREW_CALL],
    )
    return contact.phone
