"""Reads of permits for each screen. Who may see an applicant's documents is decided here, and logged."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.permissions import may_see_contact
from requests_app.public_ids import secret_digest

from .models import DocumentLook, Permit, PermitDocument, PermitEvent
from .pipeline import GRANTED, State

# A verification page exists once a permit was granted (it then stays, to say "revoked" or "ended").
VERIFIABLE = frozenset({State.APPROVED, State.EXPIRED, State.REVOKED})


def _with_history():
    return Prefetch("events", queryset=PermitEvent.objects.select_related("actor").order_by("at", "id"))


def permit_of(service_request):
    """The permit behind a request, or None for an ordinary request (and a permit filed without its form)."""
    return (
        Permit.objects.select_related("permit_type")
        .prefetch_related(_with_history(), "documents__requirement", "permit_type__documents")
        .filter(service_request_id=service_request.pk)
        .first()
    )


def has_permit(service_request) -> bool:
    """Whether the request is an application the permit workflow decides (on the staff permit page)."""
    return Permit.objects.filter(service_request_id=service_request.pk).exists()


def permit_queue(*, department_ids, jurisdiction_ids, state: str = "undecided"):
    """The permits a member of staff decides: undecided first by the day the decision is due (paused clocks
    last), or every granted one; with the number of clashes each has."""
    permits = (
        Permit.objects.select_related("service_request", "permit_type__service_type")
        .filter(
            Q(service_request__department_id__in=department_ids)
            | Q(service_request__jurisdiction_id__in=jurisdiction_ids)
        )
        .annotate(conflict_count=Count("conflicts"))
    )
    if state == "granted":
        return permits.filter(state__in=GRANTED).order_by("ends_on", "id")
    if state == "all":
        return permits.order_by("-service_request__submitted_at", "-id")
    return permits.undecided().order_by(
        F("paused_since").asc(nulls_first=True), F("decision_due_on").asc(nulls_last=True), "id"
    )


def permit_for_staff(*, public_id: str):
    """A permit with its request, history, documents and clashes, for the staff page. Raises Http404."""
    return get_object_or_404(
        Permit.objects.select_related(
            "service_request__jurisdiction", "service_request__department", "permit_type__service_type", "decided_by"
        ).prefetch_related(
            _with_history(),
            "documents__requirement",
            Prefetch("conflicts", queryset=Permit.objects.select_related("service_request")),
        ),
        service_request__public_id=public_id.upper(),
    )


def document_for_applicant(*, token: str, document_id: int) -> PermitDocument:
    """A document of the permit behind a tracking link. Raises Http404 for any other."""
    return get_object_or_404(
        PermitDocument.objects.select_related("permit__service_request"),
        pk=document_id,
        permit__service_request__tracking_token_digest=secret_digest(token),
    )


def document_for_staff(*, user, public_id: str, document_id: int) -> PermitDocument:
    """A document for a member of staff of the deciding department (or an operator of its city); the look is
    logged like a look at the contact.

    Raises Http404 for an unknown document, PermissionDenied for anyone else.
    """
    document = get_object_or_404(
        PermitDocument.objects.select_related("permit__service_request"),
        pk=document_id,
        permit__service_request__public_id=public_id.upper(),
    )
    if not may_see_contact(user, document.permit.service_request):
        raise PermissionDenied
    DocumentLook.objects.create(document=document, user=user, username=user.get_username())
    return document


def verification_page_for(*, code: str) -> Permit:
    """The public facts of a granted permit: type, place, dates, conditions, validity. Raises Http404."""
    permit = (
        Permit.objects.select_related("service_request__jurisdiction", "service_request__service_type")
        .filter(verification_code=code, state__in=VERIFIABLE)
        .first()
    )
    if permit is None:
        raise Http404
    return permit


def validity_of(permit: Permit, today=None) -> str:
    """valid, not_yet, ended, revoked or unpaid, for the verification page and the certificate."""
    today = today or timezone.localdate()
    if permit.state == State.REVOKED:
        return "revoked"
    if permit.state == State.EXPIRED or permit.ends_on < today:
        return "ended"
    if permit.fee_amount and not permit.fee_paid_at:
        return "unpaid"
    return "not_yet" if permit.starts_on > today else "valid"


def is_issued(permit: Permit) -> bool:
    """Granted and paid (or free): the certificate can be printed."""
    return permit.state == State.APPROVED and not (permit.fee_amount and not permit.fee_paid_at)


def active_permits(jurisdiction, *, today=None):
    """Granted, issued permits that have not ended, for the public map layer and open data: public facts only."""
    today = today or timezone.localdate()
    return (
        Permit.objects.filter(service_request__jurisdiction=jurisdiction, state=State.APPROVED, ends_on__gte=today)
        .filter(Q(fee_amount=0) | Q(fee_paid_at__isnull=False))
        .select_related("service_request__service_type")
        .only(
            "geometry",
            "starts_on",
            "ends_on",
            "state",
            "verification_code",
            "conditions",
            "fee_amount",
            "fee_paid_at",
            "service_request__public_id",
            "service_request__address",
            "service_request__service_type__name",
            "service_request__service_type__name_translations",
            "service_request__service_type__code",
        )
        .order_by("starts_on", "id")
    )


def decision_due_for_today(permit_type) -> date:
    """When the decision would be due on an application sent today (the form says so before sending)."""
    from . import clock

    hours, closed = clock.working_calendar(permit_type.service_type.jurisdiction)
    return clock.decision_due(
        applied_on=timezone.localdate(),
        working_days=permit_type.decision_working_days,
        paused_working_days=0,
        business_hours=hours,
        closed_days=closed,
    )


def has_application_form(service_type) -> bool:
    """Whether a permit service type has its permit data, so residents apply on the permit form."""
    from .models import PermitType

    return PermitType.objects.filter(service_type=service_type).exists()
