"""State changes of service requests. Each is one transaction and writes its history row beside it."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .answers import clean_answers
from .exceptions import InvalidAction, InvalidSubmission, InvalidTransition, ReopenWindowClosed, RequestNotOpen
from .inserts import insert_request_with_history
from .models import DESCRIPTION_MAX_LENGTH, ServiceRequest, ServiceType, StatusChange
from .photos import attach_photo, link_photo
from .public_ids import new_public_id, new_tracking_token
from .public_text import masking_for
from .signals import request_filed, status_changed
from .statuses import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PERMIT_DECISIONS,
    PERMIT_STEP_STATUS,
    PERMIT_STEPS,
    Channel,
    PermitStep,
    Priority,
    Status,
)

# How long after closing a requester may still say "it is not fixed" and reopen the request.
REOPEN_WINDOW = timedelta(days=30)

logger = logging.getLogger(__name__)


@dataclass
class Submission:
    """A new request as any channel hands it over, already in domain terms."""

    service_type: ServiceType
    location: Point | None = None
    address: str = ""
    address_id: str = ""
    zipcode: str = ""
    description: str = ""
    answers: dict = field(default_factory=dict)
    channel: str = Channel.WEB
    photos: list = field(default_factory=list)  # uploads, ideally already checked by photos.prepare_photo
    photo_urls: list[str] = field(default_factory=list)
    # What the resident gave to be reached (a contacts.services.ContactDetails), or None. The contacts app keeps
    # it when the request_filed signal comes: the request itself never holds personal data.
    contact: object | None = None


def _validate(submission: Submission) -> dict:
    errors: dict[str, list[str]] = {}
    st = submission.service_type
    if not st.active:
        errors["service_type"] = [_("This service is not accepting requests.")]
    if st.stops_filing:
        errors["service_type"] = [st.notice or _("This service can't be requested here.")]
    if submission.location is None and not (submission.address.strip() or submission.address_id.strip()):
        errors["location"] = [_("Give a location: a point on the map or an address.")]
    if submission.location is not None:
        lon, lat = submission.location.coords
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors["location"] = [_("This location is not on Earth.")]
    if len(submission.description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("Keep the description under %(n)d characters.") % {"n": DESCRIPTION_MAX_LENGTH}]
    answers, answer_errors = clean_answers(st.questions.all(), submission.answers)
    errors.update(answer_errors)
    if errors:
        raise InvalidSubmission(errors)
    return answers


def submit_request(submission: Submission) -> ServiceRequest:
    """File a new request: validate it, store it with its first history row and its contact, if any.

    The returned request carries the plain ``tracking_token``, the only time it exists outside the resident's
    hands: show or send it now.

    Raises InvalidSubmission with every problem found; nothing is written then.
    """
    answers = _validate(submission)
    return _insert(submission, answers)


# No savepoint of its own when it runs inside a caller's transaction (a retried write, a batch token, a permit):
# nothing in it is caught and continued, and a public id collision is not an error (see inserts).
@transaction.atomic(savepoint=False)
def _insert(submission: Submission, answers: dict) -> ServiceRequest:
    st = submission.service_type
    now = timezone.now()
    masking = masking_for(st.jurisdiction)
    description = submission.description.strip()
    sr = ServiceRequest(
        jurisdiction=st.jurisdiction,
        public_id=new_public_id(),
        tracking_token=new_tracking_token(),
        service_type=st,
        location=submission.location,
        address=submission.address.strip()[:300],
        address_id=submission.address_id.strip()[:100],
        zipcode=submission.zipcode.strip()[:20],
        description=description,
        answers=answers,
        public_description=masking.text(description),
        public_answers=masking.answers(answers),
        channel=submission.channel,
        submitted_at=now,
        updated_at=now,
    )
    history = StatusChange(service_request=sr, at=now, old_status="", new_status=Status.SUBMITTED)
    # A public id already taken (about one in 10^12 per pair) inserts nothing; another is drawn.
    for _attempt in range(5):
        if insert_request_with_history(sr, history):
            break
        sr.public_id = new_public_id()
    else:
        raise RuntimeError("could not allocate a public id")
    for upload in submission.photos:
        attach_photo(sr, upload, created_at=now)
    for url in submission.photo_urls:
        link_photo(sr, url, created_at=now)
    # Its contact, routing, notifications and outbox messages are written by the apps built on this one.
    request_filed.send(sender=ServiceRequest, service_request=sr, submission=submission)
    return sr


def record_change(
    sr: ServiceRequest,
    *,
    by=None,
    to: str | None = None,
    fields: tuple[str, ...] = (),
    public_note: str = "",
    internal_note: str = "",
    question: bool = False,
) -> ServiceRequest:
    """The one place a request's state is written: save ``to`` (or keep the status) and the ``fields`` the caller
    has set on ``sr``, write the history row beside them and announce the change (``status_changed``).

    For the services of this app and the floors above, inside their transaction, with the row locked and the
    change already checked. The history row is returned on the request as ``sr.history_entry``.
    """
    now = timezone.now()
    old_status, to = sr.status, to or sr.status
    changed = {*fields, "status", "updated_at"}
    if to != old_status:
        if to == Status.ACKNOWLEDGED and sr.acknowledged_at is None:
            sr.acknowledged_at = now
            changed.add("acknowledged_at")
        # The database holds these (the request's CheckConstraints): closed exactly while closed, a hold date only
        # on hold, a pointer to the original only on a duplicate.
        sr.closed_at = now if to in CLOSED_STATUSES else None
        changed.add("closed_at")
        if to != Status.ON_HOLD and sr.on_hold_until is not None:
            sr.on_hold_until = None
            changed.add("on_hold_until")
        if to != Status.DUPLICATE and sr.duplicate_of_id is not None:
            sr.duplicate_of = None
            changed.add("duplicate_of")
    # Public notes are published as written down: masked here, once, for every output.
    public_note = masking_for(sr.jurisdiction).text(public_note.strip()) if public_note.strip() else ""
    sr.status, sr.updated_at = to, now
    sr.save(update_fields=sorted(changed))
    sr.history_entry = StatusChange.objects.create(
        service_request=sr,
        at=now,
        actor=by,
        old_status=old_status,
        new_status=to,
        public_note=public_note,
        internal_note=internal_note.strip(),
    )
    # The SLA clock, the requester's message and the outbox follow in the apps built on this one.
    status_changed.send(
        sender=ServiceRequest,
        service_request=sr,
        old_status=old_status,
        new_status=to,
        at=now,
        public_note=public_note,
        question=question,
    )
    return sr


def _lock(service_request) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=service_request.pk)


@transaction.atomic
def change_status(
    service_request: ServiceRequest, *, to: str, by=None, public_note: str = "", internal_note: str = ""
) -> ServiceRequest:
    """Move a request along the status pipeline and record who did it (``sr.history_entry``; None when there was
    nothing to record).

    Raises InvalidTransition if ``to`` can't follow the current status.
    """
    sr = _lock(service_request)
    if to == sr.status and not (public_note.strip() or internal_note.strip()):
        sr.history_entry = None
        return sr
    if to != sr.status and to not in ALLOWED_TRANSITIONS[sr.status]:
        raise InvalidTransition(sr.status, to)
    return record_change(sr, by=by, to=to, public_note=public_note, internal_note=internal_note)


@transaction.atomic
def hold(service_request, *, until: date, by=None, public_note: str = "", internal_note: str = "") -> ServiceRequest:
    """Put a request on hold until a date; a new request is acknowledged first, as the pipeline wants.

    Raises InvalidAction for a date not after today, InvalidTransition if the status can't be put on hold.
    """
    sr = _lock(service_request)
    if until <= timezone.localdate():
        raise InvalidAction(_("Hold until a date after today."))
    if sr.status == Status.SUBMITTED:
        sr = record_change(sr, by=by, to=Status.ACKNOWLEDGED)
    if sr.status != Status.ON_HOLD and Status.ON_HOLD not in ALLOWED_TRANSITIONS[sr.status]:
        raise InvalidTransition(sr.status, Status.ON_HOLD)
    sr.on_hold_until = until
    note = internal_note.strip() or _("On hold until %(date)s.") % {"date": until.isoformat()}
    return record_change(
        sr, by=by, to=Status.ON_HOLD, fields=("on_hold_until",), public_note=public_note, internal_note=note
    )


@transaction.atomic
def merge(duplicate, *, into, by=None, public_note: str = "") -> ServiceRequest:
    """Close ``duplicate`` with a pointer to ``into``; its "me too" count and its own duplicates move over.

    Returns the duplicate; ``sr.duplicate_of`` is the original, each with its ``history_entry``. Raises
    InvalidAction for a request merged into itself, another city's, or a closed original; InvalidTransition if the
    duplicate's status can't become duplicate (for example on hold).
    """
    if duplicate.pk == into.pk:
        raise InvalidAction(_("A request can't be a duplicate of itself."))
    # Lock both rows in id order so two merges of the same pair can't deadlock.
    locked = {
        sr.pk: sr
        for sr in ServiceRequest.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")
    }
    dup, original = locked[duplicate.pk], locked[into.pk]
    while original.duplicate_of_id is not None and original.status == Status.DUPLICATE:
        original = ServiceRequest.objects.select_for_update().get(pk=original.duplicate_of_id)
        if original.pk == dup.pk:
            raise InvalidAction(_("A request can't be a duplicate of itself."))
    if original.jurisdiction_id != dup.jurisdiction_id:
        raise InvalidAction(_("Requests of different cities can't be merged."))
    if original.status not in OPEN_STATUSES:
        raise InvalidAction(_("The original %(id)s is closed; reopen it first.") % {"id": original.public_id})
    if Status.DUPLICATE not in ALLOWED_TRANSITIONS[dup.status]:
        raise InvalidTransition(dup.status, Status.DUPLICATE)
    moved = dup.me_too_count + 1  # the duplicate's own reporter counts as one more "me too"
    ServiceRequest.objects.filter(duplicate_of=dup).update(duplicate_of=original)
    original.me_too_count += moved
    record_change(
        original,
        by=by,
        fields=("me_too_count",),
        internal_note=_('%(dup)s merged into this request (+%(n)d "me too").') % {"dup": dup.public_id, "n": moved},
    )
    dup.duplicate_of, dup.me_too_count = original, 0
    note = public_note.strip() or _("This is the same problem as request %(id)s; follow it there.") % {
        "id": original.public_id
    }
    return record_change(
        dup,
        by=by,
        to=Status.DUPLICATE,
        fields=("duplicate_of", "me_too_count"),
        public_note=note,
        internal_note=_("Merged into %(id)s.") % {"id": original.public_id},
    )


@transaction.atomic
def set_permit_step(
    service_request, *, step: str, by=None, explanation: str = "", internal_note: str = ""
) -> ServiceRequest:
    """Move a permit application to its next step (statuses.PERMIT_STEPS), and its status as the step wants
    (PERMIT_STEP_STATUS); a decision is explained to the applicant as a public note.

    Raises InvalidAction for a non-permit request, a step that can't follow, or a decision without an explanation.
    """
    sr = _lock(service_request)
    if sr.service_type.kind != ServiceType.Kind.PERMIT:
        raise InvalidAction(_("Only permit applications have permit steps."))
    if step not in PERMIT_STEPS.get(sr.permit_step, frozenset()):
        raise InvalidAction(
            _("A permit can't go from %(old)s to %(new)s.")
            % {
                "old": sr.get_permit_step_display() or "-",
                "new": PermitStep(step).label if step in PermitStep.values else step,
            }
        )
    if step in PERMIT_DECISIONS and not explanation.strip():
        raise InvalidAction(_("Explain the decision to the applicant."))
    to, wanted = sr.status, PERMIT_STEP_STATUS.get(step)
    if wanted is not None and sr.status in OPEN_STATUSES:
        allowed = ALLOWED_TRANSITIONS[sr.status]
        if wanted in allowed:
            to = wanted
        elif Status.IN_PROGRESS in allowed:
            # Through "in progress" where the pipeline wants it, in one history entry.
            to = wanted if wanted in ALLOWED_TRANSITIONS[Status.IN_PROGRESS] else Status.IN_PROGRESS
    sr.permit_step = step
    note = _("Permit step: %(step)s.") % {"step": PermitStep(step).label}
    return record_change(
        sr,
        by=by,
        to=to,
        fields=("permit_step",),
        public_note=f"{note} {explanation.strip()}".strip(),
        internal_note=internal_note,
    )


@transaction.atomic
def change_priority(service_request, *, priority: int, by=None, internal_note: str = "") -> ServiceRequest:
    """Set the priority. Raises InvalidAction for an unknown priority, the same one or a closed request."""
    sr = _lock(service_request)
    check_open(sr)
    if priority not in Priority.values:
        raise InvalidAction(_("Unknown priority."))
    if priority == sr.priority:
        raise InvalidAction(_("The priority is already %(p)s.") % {"p": Priority(priority).label})
    note = _("Priority %(old)s → %(new)s.") % {"old": Priority(sr.priority).label, "new": Priority(priority).label}
    sr.priority = priority
    return record_change(sr, by=by, fields=("priority",), internal_note=f"{note} {internal_note}".strip())


def check_open(sr: ServiceRequest) -> None:
    """Raises InvalidAction for a closed request (a change that needs it reopened first)."""
    if sr.status not in OPEN_STATUSES:
        raise InvalidAction(_("Request %(id)s is closed; reopen it first.") % {"id": sr.public_id})


def release_ended_holds(*, now=None) -> int:
    """Take requests off hold on their date (in their city's time zone) and restart their clocks; returns how many.

    Each request is its own transaction: one that fails is logged and left for the next run.
    """
    now = now or timezone.now()
    released = 0
    # Only a day either side of UTC can differ from a city's local date, so this narrows the rows to look at.
    candidates = (
        ServiceRequest.objects.filter(status=Status.ON_HOLD, on_hold_until__lte=(now + timedelta(days=1)).date())
        .select_related("jurisdiction")
        .order_by("on_hold_until", "id")
    )
    for sr in candidates:
        if sr.on_hold_until > timezone.localtime(now, ZoneInfo(sr.jurisdiction.timezone)).date():
            continue
        try:
            with transaction.atomic():
                _release_hold(sr, now=now)
            released += 1
        except (InvalidTransition, ServiceRequest.DoesNotExist):
            logger.exception("releasing the hold of request %s failed", sr.pk)
    return released


def _release_hold(sr: ServiceRequest, *, now) -> None:
    sr = ServiceRequest.objects.select_for_update().get(pk=sr.pk, status=Status.ON_HOLD)
    until = sr.on_hold_until
    change_status(
        sr,
        to=Status.IN_PROGRESS,
        internal_note=_("The hold until %(date)s ended; work resumes.") % {"date": until.isoformat()},
    )


@transaction.atomic
def add_me_too(service_request: ServiceRequest) -> ServiceRequest:
    """Count one more resident affected by an open request. Takes no contact data.

    Raises RequestNotOpen if the request is closed.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    if sr.status not in OPEN_STATUSES:
        raise RequestNotOpen(_("This request is closed; file a new one instead."))
    ServiceRequest.objects.filter(pk=sr.pk).update(me_too_count=F("me_too_count") + 1)
    sr.refresh_from_db(fields=["me_too_count"])
    return sr


def can_reopen(service_request: ServiceRequest, *, now=None) -> bool:
    """Whether the requester may still reopen a closed request (within REOPEN_WINDOW of closing)."""
    if Status.REOPENED not in ALLOWED_TRANSITIONS[service_request.status]:
        return False
    closed_at = service_request.closed_at or service_request.updated_at
    return closed_at >= (now or timezone.now()) - REOPEN_WINDOW


@transaction.atomic
def reopen_by_requester(service_request: ServiceRequest, *, reason: str = "") -> ServiceRequest:
    """The requester says the problem is not fixed: reopen the request, keeping their reason for staff only.

    Raises InvalidTransition if the request is not closed, ReopenWindowClosed if it closed too long ago.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    if Status.REOPENED not in ALLOWED_TRANSITIONS[sr.status]:
        raise InvalidTransition(sr.status, Status.REOPENED)
    if not can_reopen(sr):
        raise ReopenWindowClosed(
            _("This request closed more than %(days)d days ago; please file a new one.") % {"days": REOPEN_WINDOW.days}
        )
    return change_status(sr, to=Status.REOPENED, internal_note=reason.strip()[:2000])


@transaction.atomic
def confirm_fixed(service_request: ServiceRequest) -> ServiceRequest:
    """The requester confirms a resolved request is fixed: close it.

    Raises InvalidTransition if the request is not resolved.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    if sr.status != Status.RESOLVED:
        raise InvalidTransition(sr.status, Status.CLOSED)
    return change_status(sr, to=Status.CLOSED)


@transaction.atomic
def withdraw_requesters_words(service_request_id: int) -> None:
    """The requester takes back their words and photos from public view; the request stays as the record.

    Staff keep the original text; the photos are deleted, their files once the transaction commits.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request_id)
    if not sr.public_description and not sr.public_answers and not sr.photos.exists():
        return
    files = [(photo.original.storage, photo.original.name) for photo in sr.photos.all() if photo.original]
    files += [(photo.public_image.storage, photo.public_image.name) for photo in sr.photos.all() if photo.public_image]
    sr.photos.all().delete()
    sr.public_description, sr.public_answers = "", {}
    record_change(
        sr,
        fields=("public_description", "public_answers"),
        internal_note=_("The requester withdrew their words and photos from public view."),
    )
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def replace_street_segments(jurisdiction, segments: list[dict]) -> int:
    """Replace a jurisdiction's street centrelines with ``segments`` (dicts of StreetSegment fields).

    Everything or nothing: a file that fails half-way leaves the streets as they were.
    """
    from .models import StreetSegment

    StreetSegment.objects.filter(jurisdiction=jurisdiction).delete()
    StreetSegment.objects.bulk_create(
        [StreetSegment(jurisdiction=jurisdiction, **s) for s in segments], batch_size=2000
    )
    return len(segments)


@transaction.atomic
def add_to_request(service_request, *, text: str = "", photos: list | None = None):
    """The requester adds a comment (for staff), photos (already passed through photos.prepare_photo; published
    like the first ones, once blurred) or both.

    Raises InvalidSubmission when there is nothing to add or the text is too long.
    """
    from .models import ResidentComment

    text, photos = text.strip(), photos or []
    if not text and not photos:
        raise InvalidSubmission({"text": [_("Write something or choose a photo.")]})
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise InvalidSubmission(
            {"text": [_("Ensure this value has at most %(max)d characters.") % {"max": DESCRIPTION_MAX_LENGTH}]}
        )
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    now = timezone.now()
    if text:
        ResidentComment.objects.create(service_request=sr, text=text, created_at=now)
    for upload in photos:
        attach_photo(sr, upload, created_at=now)
    sr.updated_at = now
    sr.save(update_fields=["updated_at"])
    return sr
