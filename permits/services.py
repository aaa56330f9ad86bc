"""Permit applications and their decisions. Each state change is one transaction: it locks the permit, checks the
change against the pipeline (pipeline.py), writes a PermitEvent (who, when, what was said) and, where the
applicant should hear of it, queues a message under their consent that leaves once the change is kept."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.notifications import Event
from contacts.services import ContactDetails, keep_contact_until, notify_requester
from requests_app.exceptions import InvalidSubmission
from requests_app.models import ServiceRequest
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import ALLOWED_TRANSITIONS, Channel, PermitStep, Status

from . import clock
from .documents import InvalidDocument, prepare_document
from .exceptions import InvalidApplication, PermitActionRefused
from .fees import permit_fee
from .models import Permit, PermitDocument, PermitEvent, PermitType
from .pipeline import CONFLICTING, GEOS_TYPE, TRANSITIONS, EventKind, FeeKind, State, Step

# Places closer than this are treated as the same stretch of street when looking for clashes (about 10 m at
# the equator, less towards the poles: enough to catch two skips on one frontage, not the next block).
CONFLICT_BUFFER_DEGREES = 0.0001
MAX_ANSWER_LENGTH = 4000


@dataclass
class PermitApplication:
    """A permit application as the form (or any channel) hands it over."""

    permit_type: PermitType
    geometry: GEOSGeometry | None
    starts_on: date | None
    ends_on: date | None
    address: str = ""
    description: str = ""
    answers: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)  # requirement code -> uploaded file
    channel: str = Channel.WEB
    contact: ContactDetails = field(default_factory=ContactDetails)


def metres_of(geometry: GEOSGeometry) -> float:
    """A line's length or an area's perimeter in metres, on the spheroid (0 for a point)."""
    if geometry.geom_type == "Point":
        return 0.0
    function = "ST_Length" if geometry.geom_type == "LineString" else "ST_Perimeter"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(ST_GeomFromEWKT(%s)::geography)", [geometry.ewkt])
        return float(cursor.fetchone()[0])


def fee_for(permit_type: PermitType, *, starts_on: date, ends_on: date, geometry: GEOSGeometry | None) -> dict:
    """The fee an application would cost, for the form to show before sending."""
    length = metres_of(geometry) if geometry is not None else 0.0
    amount = permit_fee(
        fee_kind=permit_type.fee_kind,
        amount=permit_type.fee_amount,
        starts_on=starts_on,
        ends_on=ends_on,
        length_m=length,
    )
    return {"amount": amount, "currency": permit_type.fee_currency, "length_m": round(length, 1)}


def _check_place_and_dates(application: PermitApplication, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    permit_type = application.permit_type
    geometry = application.geometry
    wanted = GEOS_TYPE[permit_type.geometry_kind]
    if geometry is None:
        errors["geometry"] = [_("Draw the place on the map.")]
    elif geometry.geom_type != wanted or not geometry.valid or geometry.empty:
        errors["geometry"] = [
            {
                "Point": _("Mark one point on the map."),
                "LineString": _("Draw the stretch of street as a line of at least two points."),
                "Polygon": _("Draw the area with at least three corners."),
            }[wanted]
        ]
    else:
        lon_lat = geometry.extent
        if not (-180 <= lon_lat[0] <= lon_lat[2] <= 180 and -90 <= lon_lat[1] <= lon_lat[3] <= 90):
            errors["geometry"] = [_("This place is not on Earth.")]
    starts_on, ends_on = application.starts_on, application.ends_on
    if starts_on is None:
        errors["starts_on"] = [_("Give the first day.")]
    if ends_on is None:
        errors["ends_on"] = [_("Give the last day.")]
    if starts_on and ends_on:
        hours, closed = clock.working_calendar(permit_type.service_type.jurisdiction)
        earliest = clock.earliest_start(today, permit_type.min_notice_days, hours, closed)
        if starts_on < earliest:
            errors["starts_on"] = [
                _("The earliest start is %(day)s: this permit needs %(n)d working days' notice.")
                % {"day": earliest.isoformat(), "n": permit_type.min_notice_days}
            ]
        if ends_on < starts_on:
            errors["ends_on"] = [_("The last day can't be before the first.")]
        elif (ends_on - starts_on).days + 1 > permit_type.max_length_days:
            errors["ends_on"] = [_("This permit lasts at most %(n)d days.") % {"n": permit_type.max_length_days}]
    return errors


def _checked_documents(application: PermitApplication) -> tuple[list, dict[str, list[str]]]:
    kept, errors = [], {}
    for requirement in application.permit_type.documents.all():
        upload = application.documents.get(requirement.code)
        name = f"document_{requirement.code}"
        if upload is None:
            if requirement.required:
                errors[name] = [_("This document is required.")]
            continue
        try:
            kind, content = prepare_document(upload, kinds=requirement.kinds, max_bytes=requirement.max_bytes)
        except InvalidDocument as exc:
            errors[name] = [str(exc)]
            continue
        kept.append((requirement, kind, content))
    return kept, errors


def apply_for_permit(application: PermitApplication) -> ServiceRequest:
    """File a permit application: the request, its permit (place, dates, fee, clock), documents and contact.

    Everything is checked first and every problem reported at once (InvalidApplication, errors by field);
    nothing is written then. Clashes with other permits are flagged to staff, never refused.
    """
    permit_type = application.permit_type
    today = timezone.localdate()
    errors = _check_place_and_dates(application, today)
    documents, document_errors = _checked_documents(application)
    errors.update(document_errors)
    if application.contact.purposes and not (application.contact.email or application.contact.phone):
        errors["email"] = [_("Give an email or a phone number so we can tell you the decision.")]
    submission = Submission(
        service_type=permit_type.service_type,
        location=application.geometry.point_on_surface
        if application.geometry is not None and not errors.get("geometry")
        else None,
        address=application.address,
        description=application.description,
        answers=application.answers,
        channel=application.channel,
        contact=application.contact,
    )
    try:
        with transaction.atomic():
            if errors:
                raise InvalidApplication(errors)
            sr = submit_request(submission)
            _open_permit(sr, application, documents)
    except InvalidApplication:
        raise
    except InvalidSubmission as exc:
        merged = {**errors, **exc.errors}
        if "location" in merged and "geometry" not in merged:
            merged["geometry"] = merged.pop("location")
        merged.pop("location", None)
        raise InvalidApplication(merged) from None
    return sr


def _open_permit(sr: ServiceRequest, application: PermitApplication, documents) -> Permit:
    permit_type = application.permit_type
    geometry = application.geometry
    geometry.srid = 4326
    fee = fee_for(permit_type, starts_on=application.starts_on, ends_on=application.ends_on, geometry=geometry)
    hours, closed = clock.working_calendar(sr.jurisdiction)
    applied_on = timezone.localdate(sr.submitted_at)
    permit = Permit.objects.create(
        service_request=sr,
        permit_type=permit_type,
        geometry=geometry,
        length_m=fee["length_m"],
        starts_on=application.starts_on,
        ends_on=application.ends_on,
        fee_amount=fee["amount"],
        fee_currency=fee["currency"],
        step=permit_type.pipeline[0],
        decision_due_on=clock.decision_due(
            applied_on=applied_on,
            working_days=permit_type.decision_working_days,
            paused_working_days=0,
            business_hours=hours,
            closed_days=closed,
        ),
    )
    for requirement, kind, content in documents:
        PermitDocument.objects.create(
            permit=permit, requirement=requirement, kind=kind, file=content, size=content.size
        )
    PermitEvent.objects.create(permit=permit, kind=EventKind.APPLIED, at=sr.submitted_at)
    ServiceRequest.objects.filter(pk=sr.pk).update(permit_step=PermitStep.RECEIVED)
    sr.permit_step = PermitStep.RECEIVED
    keep_contact_until(
        service_request_id=sr.pk, day=application.ends_on + timedelta(days=permit_type.retention_days_after_end)
    )
    flag_conflicts(permit)
    return permit


def flag_conflicts(permit: Permit) -> list[Permit]:
    """Link the permit to every granted permit or open application whose place and dates overlap its own."""
    others = list(
        Permit.objects.filter(
            state__in=CONFLICTING,
            permit_type__service_type__jurisdiction_id=permit.permit_type.service_type.jurisdiction_id,
        )
        .exclude(pk=permit.pk)
        .overlapping(
            geometry=permit.geometry.buffer(CONFLICT_BUFFER_DEGREES), starts_on=permit.starts_on, ends_on=permit.ends_on
        )
    )
    if others:
        permit.conflicts.add(*others)
    return others


def _lock(permit: Permit) -> Permit:
    return (
        Permit.objects.select_for_update(of=("self",))
        .select_related("permit_type", "service_request")
        .get(pk=permit.pk)
    )


def _require_state(permit: Permit, to: str) -> None:
    if to not in TRANSITIONS[permit.state]:
        raise PermitActionRefused(
            _("A permit that is %(state)s can't become %(to)s.")
            % {"state": permit.get_state_display().lower(), "to": State(to).label.lower()}
        )


def _event(permit, kind, *, by=None, step="", public_note="", internal_note="") -> PermitEvent:
    return PermitEvent.objects.create(
        permit=permit,
        kind=kind,
        actor=by,
        step=step,
        at=timezone.now(),
        public_note=public_note.strip(),
        internal_note=internal_note.strip(),
    )


def _request_to(permit: Permit, to: str, *, by, public_note: str = "", permit_step: str = "") -> None:
    """Keep the request's status (what its pages and Open311 show) in step with the permit."""
    sr = permit.service_request
    allowed = ALLOWED_TRANSITIONS[sr.status]
    if to != sr.status and to not in allowed and Status.IN_PROGRESS in allowed:
        sr = change_status(sr, to=Status.IN_PROGRESS, by=by)  # a new request is decided: start it first
    if to != sr.status and to not in ALLOWED_TRANSITIONS[sr.status]:
        to = sr.status  # staff already closed the request by hand: the note is still recorded
    if to != sr.status or public_note:
        sr = change_status(sr, to=to, by=by, public_note=public_note)
    if permit_step:
        # The request's permit step only mirrors this permit's own pipeline (pipeline.py, checked by the caller and
        # recorded as a PermitEvent), so not requests_app's set_permit_step: its steps are for applications staff
        # step by hand, and it would refuse a refusal while the applicant is asked for more (more information →
        # refused) and write a second public note. One column, with no history row of its own.
        ServiceRequest.objects.filter(pk=sr.pk).update(permit_step=permit_step)
        sr.permit_step = permit_step
    permit.service_request = sr


def _notify(permit: Permit, event: str) -> None:
    # Queued with the change, under the applicant's consent; it leaves, through a task, only if the change commits.
    notify_requester(permit.service_request_id, event)


@transaction.atomic
def complete_step(permit: Permit, *, by, note: str = "") -> Permit:
    """Record the current step (check, site inspection) as done by ``by`` and move to the next.

    Raises PermitActionRefused when the permit is not being reviewed or its current step is the decision.
    """
    permit = _lock(permit)
    if permit.state != State.IN_REVIEW:
        raise PermitActionRefused(_("Only an application being reviewed moves to its next step."))
    pipeline = permit.permit_type.pipeline
    if permit.step == Step.DECISION or permit.step not in pipeline:
        raise PermitActionRefused(_("The last step is the decision: approve or refuse the application."))
    _event(permit, EventKind.STEP_DONE, by=by, step=permit.step, internal_note=note)
    permit.step = pipeline[pipeline.index(permit.step) + 1]
    permit.save(update_fields=["step"])
    _request_to(permit, Status.IN_PROGRESS, by=by, permit_step=PermitStep.UNDER_REVIEW)
    return permit


@transaction.atomic
def request_information(permit: Permit, *, by, question: str) -> Permit:
    """Ask the applicant for more information; the decision clock stops until they answer.

    Raises PermitActionRefused without a question or when the permit is not being reviewed.
    """
    permit = _lock(permit)
    question = question.strip()
    if not question:
        raise PermitActionRefused(_("Say what information you need."))
    _require_state(permit, State.WAITING_FOR_APPLICANT)
    permit.state = State.WAITING_FOR_APPLICANT
    permit.paused_since = timezone.localdate()
    permit.information_request = question[:MAX_ANSWER_LENGTH]
    permit.save(update_fields=["state", "paused_since", "information_request"])
    _event(permit, EventKind.INFORMATION_REQUESTED, by=by, step=permit.step, public_note=question)
    _request_to(permit, permit.service_request.status, by=by, permit_step=PermitStep.MORE_INFORMATION)
    _notify(permit, Event.PERMIT_NEEDS_INFORMATION)
    return permit


@transaction.atomic
def answer_information(permit: Permit, *, answer: str, documents: dict | None = None) -> Permit:
    """The applicant answers from their tracking page: the clock runs again, the waiting days added to it.

    Raises PermitActionRefused when nothing was asked or nothing was answered; InvalidApplication for a
    document that fails its checks.
    """
    permit = _lock(permit)
    answer = answer.strip()[:MAX_ANSWER_LENGTH]
    if permit.state != State.WAITING_FOR_APPLICANT:
        raise PermitActionRefused(_("The department is not waiting for information on this application."))
    if not answer and not documents:
        raise PermitActionRefused(_("Write an answer or add a document."))
    kept = _add_documents(permit, documents or {})
    hours, closed = clock.working_calendar(permit.service_request.jurisdiction)
    today = timezone.localdate()
    permit.paused_working_days += clock.working_days_between(permit.paused_since, today, hours, closed)
    permit.decision_due_on = clock.decision_due(
        applied_on=timezone.localdate(permit.service_request.submitted_at),
        working_days=permit.permit_type.decision_working_days,
        paused_working_days=permit.paused_working_days,
        business_hours=hours,
        closed_days=closed,
    )
    permit.paused_since = None
    permit.state = State.IN_REVIEW
    permit.save(update_fields=["paused_working_days", "decision_due_on", "paused_since", "state"])
    names = ", ".join(document.requirement.localized_name() for document in kept)
    _event(
        permit,
        EventKind.INFORMATION_GIVEN,
        step=permit.step,
        public_note=answer,
        internal_note=_("Documents added: %(names)s") % {"names": names} if names else "",
    )
    ServiceRequest.objects.filter(pk=permit.service_request_id).update(
        permit_step=PermitStep.UNDER_REVIEW, updated_at=timezone.now()
    )
    return permit


def _add_documents(permit: Permit, documents: dict) -> list[PermitDocument]:
    requirements = {r.code: r for r in permit.permit_type.documents.all()}
    kept, errors = [], {}
    for code, upload in documents.items():
        requirement = requirements.get(code)
        if requirement is None:
            errors[f"document_{code}"] = [_("This permit does not ask for that document.")]
            continue
        try:
            kind, content = prepare_document(upload, kinds=requirement.kinds, max_bytes=requirement.max_bytes)
        except InvalidDocument as exc:
            errors[f"document_{code}"] = [str(exc)]
            continue
        kept.append(PermitDocument(permit=permit, requirement=requirement, kind=kind, file=content, size=content.size))
    if errors:
        raise InvalidApplication(errors)
    for document in kept:
        document.save()
    return kept


@transaction.atomic
def decide_permit(
    permit: Permit, *, by, approve: bool, added_conditions: list[str] | tuple = (), reasons: str = ""
) -> Permit:
    """Approve with conditions (the type's standard ones plus any added) or refuse with reasons, and tell the
    applicant under their consent. The one place a permit is decided: integrations hook here.

    Raises PermitActionRefused before the decision step, while waiting for the applicant, or refusing
    without reasons.
    """
    permit = _lock(permit)
    to = State.APPROVED if approve else State.REFUSED
    _require_state(permit, to)
    if approve and permit.step != Step.DECISION:
        raise PermitActionRefused(
            _("Finish the earlier steps first (now: %(step)s).") % {"step": permit.get_step_display()}
        )
    reasons = reasons.strip()
    if not approve and not reasons:
        raise PermitActionRefused(_("Give the reasons for refusing: the applicant reads them."))
    now = timezone.now()
    added = [{"text": text.strip()} for text in added_conditions if text.strip()]
    permit.state, permit.decided_at, permit.decided_by, permit.paused_since = to, now, by, None
    fields = ["state", "decided_at", "decided_by", "paused_since"]
    if approve:
        permit.added_conditions = added
        permit.conditions = list(permit.permit_type.standard_conditions) + added
        fields += ["added_conditions", "conditions"]
        note = _("Permit approved, valid from %(start)s to %(end)s, with its conditions.") % {
            "start": permit.starts_on.isoformat(),
            "end": permit.ends_on.isoformat(),
        }
        if permit.fee_amount and not permit.fee_paid_at:
            note += " " + _("The certificate is issued once the fee of %(amount)s %(currency)s is paid.") % {
                "amount": permit.fee_amount,
                "currency": permit.fee_currency,
            }
    else:
        permit.refusal_reasons = reasons
        fields.append("refusal_reasons")
        note = _("Permit refused. Reasons: %(reasons)s") % {"reasons": reasons}
    permit.save(update_fields=fields)
    _event(permit, EventKind.APPROVED if approve else EventKind.REFUSED, by=by, step=Step.DECISION, public_note=note)
    _request_to(
        permit,
        Status.RESOLVED,
        by=by,
        public_note=note,
        permit_step=PermitStep.APPROVED if approve else PermitStep.REFUSED,
    )
    _notify(permit, Event.PERMIT_DECIDED)
    return permit


@transaction.atomic
def mark_fee_paid(permit: Permit, *, by, reference: str) -> Permit:
    """Record the fee as paid with the reference the city's cashier gave. Raises PermitActionRefused."""
    permit = _lock(permit)
    reference = reference.strip()
    if not reference:
        raise PermitActionRefused(_("Give the payment reference from the receipt."))
    if permit.state in (State.REFUSED, State.REVOKED):
        raise PermitActionRefused(_("No fee is due on a refused or revoked permit."))
    if permit.fee_paid_at:
        raise PermitActionRefused(
            _("The fee is already marked paid (reference %(ref)s).") % {"ref": permit.payment_reference}
        )
    permit.fee_paid_at, permit.payment_reference = timezone.now(), reference[:100]
    permit.save(update_fields=["fee_paid_at", "payment_reference"])
    _event(permit, EventKind.FEE_PAID, by=by, public_note=_("Fee received, reference %(ref)s.") % {"ref": reference})
    return permit


@transaction.atomic
def request_extension(permit: Permit, *, until: date, reason: str) -> Permit:
    """The applicant asks to keep a granted permit longer. Raises PermitActionRefused."""
    permit = _lock(permit)
    if permit.state != State.APPROVED:
        raise PermitActionRefused(_("Only a granted permit can be extended."))
    if until <= permit.ends_on:
        raise PermitActionRefused(_("Choose a day after the current end, %(day)s.") % {"day": permit.ends_on})
    if (until - permit.starts_on).days + 1 > permit.permit_type.max_length_days:
        raise PermitActionRefused(
            _("This permit lasts at most %(n)d days.") % {"n": permit.permit_type.max_length_days}
        )
    permit.extension_requested_until, permit.extension_reason = until, reason.strip()[:MAX_ANSWER_LENGTH]
    permit.save(update_fields=["extension_requested_until", "extension_reason"])
    _event(
        permit,
        EventKind.EXTENSION_REQUESTED,
        public_note=_("Extension asked until %(day)s. %(reason)s")
        % {"day": until.isoformat(), "reason": permit.extension_reason},
    )
    return permit


@transaction.atomic
def decide_extension(permit: Permit, *, by, grant: bool, note: str = "") -> Permit:
    """Grant (the end moves; a fee by the day grows and is due again) or refuse an extension asked for.

    Raises PermitActionRefused when none was asked or refusing without a note.
    """
    permit = _lock(permit)
    if permit.state != State.APPROVED or permit.extension_requested_until is None:
        raise PermitActionRefused(_("No extension was asked for."))
    if not grant and not note.strip():
        raise PermitActionRefused(_("Say why the extension is refused."))
    fields = ["extension_requested_until"]
    if grant:
        permit.ends_on = permit.extension_requested_until
        fields.append("ends_on")
        if permit.permit_type.fee_kind == FeeKind.PER_DAY:
            permit.fee_amount = permit_fee(
                fee_kind=FeeKind.PER_DAY,
                amount=permit.permit_type.fee_amount,
                starts_on=permit.starts_on,
                ends_on=permit.ends_on,
                length_m=0,
            )
            permit.fee_paid_at = None  # the added days are due; the earlier reference stays in the history
            fields += ["fee_amount", "fee_paid_at"]
        keep_contact_until(
            service_request_id=permit.service_request_id,
            day=permit.ends_on + timedelta(days=permit.permit_type.retention_days_after_end),
        )
        public = _("Extended until %(day)s.") % {"day": permit.ends_on.isoformat()}
    else:
        public = _("Extension refused: %(note)s") % {"note": note.strip()}
    permit.extension_requested_until = None
    permit.save(update_fields=fields)
    _event(
        permit,
        EventKind.EXTENDED if grant else EventKind.EXTENSION_REFUSED,
        by=by,
        public_note=public,
        internal_note=note if grant else "",
    )
    _request_to(permit, permit.service_request.status, by=by, public_note=public)
    _notify(permit, Event.PERMIT_DECIDED)
    return permit


@transaction.atomic
def revoke_permit(permit: Permit, *, by, reason: str) -> Permit:
    """Withdraw a granted permit before its end, with the reason the applicant (and the public page) reads.

    Raises PermitActionRefused without a reason or for a permit that is not granted.
    """
    permit = _lock(permit)
    reason = reason.strip()
    if not reason:
        raise PermitActionRefused(_("Give the reason for revoking: the applicant reads it."))
    _require_state(permit, State.REVOKED)
    permit.state, permit.revocation_reason = State.REVOKED, reason
    permit.save(update_fields=["state", "revocation_reason"])
    note = _("Permit revoked. Reason: %(reason)s") % {"reason": reason}
    _event(permit, EventKind.REVOKED, by=by, public_note=note)
    _request_to(permit, Status.CLOSED, by=by, public_note=note)
    _notify(permit, Event.PERMIT_DECIDED)
    return permit


def close_ended_permits(*, today: date | None = None) -> int:
    """End every granted permit whose last day has passed, closing its request. Returns how many."""
    today = today or timezone.localdate()
    ended = 0
    for permit_id in Permit.objects.filter(state=State.APPROVED, ends_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            permit = _lock(Permit(pk=permit_id))
            if permit.state != State.APPROVED or permit.ends_on >= today:
                continue  # extended or revoked since the list was read
            permit.state = State.EXPIRED
            permit.save(update_fields=["state"])
            note = _("The permit ended on %(day)s.") % {"day": permit.ends_on.isoformat()}
            _event(permit, EventKind.EXPIRED, public_note=note)
            _request_to(permit, Status.CLOSED, by=None)
            ended += 1
    return ended
