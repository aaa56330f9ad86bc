"""Staff actions on service requests. Each is one transaction: it locks the row, checks the change, writes a
history row (who, when, public and internal note) with the department it belongs to, and saves the fields."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.selectors import live_purposes
from contacts.services import notify_requester
from requests_app.exceptions import DomainError, InvalidTransition
from requests_app.models import Question, ServiceRequest, ServiceType, StatusChange
from requests_app.public_text import masking_for
from requests_app.services import change_status
from requests_app.statuses import ALLOWED_TRANSITIONS, OPEN_STATUSES, PermitStep, Priority, RoutingState, Status
from routing.clocks import follow_status
from routing.models import Department, RoutingDecision, Team
from routing.router import route_request
from staffing.access import scope_for
from staffing.models import StaffRole

from .models import HistoryScope


class InvalidAction(DomainError):
    """A staff action that can't apply to this request (the message says why, for the person who tried)."""


# Permit applications move through their own steps, beside the status.
PERMIT_STEPS: dict[str, frozenset[str]] = {
    "": frozenset({PermitStep.RECEIVED, PermitStep.UNDER_REVIEW}),
    PermitStep.RECEIVED: frozenset({PermitStep.UNDER_REVIEW}),
    PermitStep.UNDER_REVIEW: frozenset({PermitStep.MORE_INFORMATION, PermitStep.APPROVED, PermitStep.REFUSED}),
    PermitStep.MORE_INFORMATION: frozenset({PermitStep.UNDER_REVIEW}),
    PermitStep.APPROVED: frozenset(),
    PermitStep.REFUSED: frozenset(),
}
PERMIT_DECISIONS = frozenset({PermitStep.MORE_INFORMATION, PermitStep.APPROVED, PermitStep.REFUSED})


def _lock(service_request) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=service_request.pk)


def _record(
    sr, *, by, kind, old_status=None, public_note="", internal_note="", to_department=None, department_id=None
) -> StatusChange:
    public_note = masking_for(sr.jurisdiction).text(public_note.strip()) if public_note.strip() else ""
    entry = StatusChange.objects.create(
        service_request=sr,
        at=timezone.now(),
        actor=by,
        old_status=sr.status if old_status is None else old_status,
        new_status=sr.status,
        public_note=public_note,
        internal_note=internal_note.strip(),
    )
    HistoryScope.objects.create(
        status_change=entry,
        kind=kind,
        department_id=department_id if department_id is not None else sr.department_id,
        to_department=to_department,
    )
    return entry


def _touch(sr, *fields):
    sr.updated_at = timezone.now()
    sr.save(update_fields=[*fields, "updated_at"])


def _move(sr, *, to, by, kind, public_note="", internal_note="") -> ServiceRequest:
    """change_status, then tag the new history row with its department and kind."""
    before = sr.status_changes.order_by("-id").values_list("id", flat=True).first() or 0
    sr = change_status(sr, to=to, by=by, public_note=public_note.strip(), internal_note=internal_note.strip())
    entry = sr.status_changes.filter(id__gt=before).order_by("-id").first()
    if entry is not None:
        HistoryScope.objects.create(status_change=entry, kind=kind, department_id=sr.department_id)
    return sr


def _check_open(sr):
    if sr.status not in OPEN_STATUSES:
        raise InvalidAction(_("Request %(id)s is closed; reopen it first.") % {"id": sr.public_id})


def _notify_status_change(sr, *, old_status: str, public_note: str) -> None:
    """For the actions that set the status themselves (hold, merge, permit): like requests_app's change_status,
    a new status or a public note is sent to the requester, under their consent, once the change is kept.

    Actions through change_status (acknowledge, set_status) are notified there, so never twice. Only the id
    travels: notify_requester reads the consent and the address itself, and does nothing without them.
    """
    if sr.status != old_status or public_note.strip():
        transaction.on_commit(lambda: notify_requester(sr.pk, Event.STATUS_CHANGED), robust=True)


def _route_after_commit(sr) -> None:
    """Route the request again once the staff action is kept; the page then shows the new place and reason.

    A failure is logged and the request stays pending, where routing's sweep (route_waiting_requests) finds it.
    """
    transaction.on_commit(lambda: route_request(sr.pk), robust=True)


@transaction.atomic
def acknowledge(service_request, *, by, public_note: str = "") -> ServiceRequest:
    """Say the request was seen. Raises InvalidTransition unless it is new or reopened."""
    sr = _lock(service_request)
    if sr.status == Status.ACKNOWLEDGED:
        raise InvalidAction(_("%(id)s is already acknowledged.") % {"id": sr.public_id})
    return _move(sr, to=Status.ACKNOWLEDGED, by=by, kind=HistoryScope.Kind.STATUS, public_note=public_note)


@transaction.atomic
def set_status(service_request, *, to: str, by, public_note: str = "", internal_note: str = "") -> ServiceRequest:
    """Change the status (or add notes without changing it): resolve, close, reopen, start work...

    Raises InvalidTransition if ``to`` can't follow the current status; InvalidAction for hold (use hold).
    """
    sr = _lock(service_request)
    if to == Status.ON_HOLD and sr.status != Status.ON_HOLD:
        raise InvalidAction(_("Putting a request on hold needs a date."))
    if to == Status.DUPLICATE and sr.status != Status.DUPLICATE:
        raise InvalidAction(_("Mark a duplicate by merging it into its original."))
    if to == sr.status and not (public_note.strip() or internal_note.strip()):
        raise InvalidAction(_("Nothing to record: choose another status or write a note."))
    kind = HistoryScope.Kind.NOTE if to == sr.status else HistoryScope.Kind.STATUS
    sr = _move(sr, to=to, by=by, kind=kind, public_note=public_note, internal_note=internal_note)
    if to == Status.REOPENED and sr.on_hold_until is not None:
        sr.on_hold_until = None
        sr.save(update_fields=["on_hold_until"])
    return sr


@transaction.atomic
def hold(service_request, *, until: date, by, public_note: str = "", internal_note: str = "") -> ServiceRequest:
    """Put a request on hold until a date. Raises InvalidAction for a past date, InvalidTransition if not allowed."""
    sr = _lock(service_request)
    if until <= timezone.localdate():
        raise InvalidAction(_("Hold until a date after today."))
    acknowledged_here = sr.status == Status.SUBMITTED
    if acknowledged_here:
        # The pipeline wants work to have started; holding a new request acknowledges it first.
        sr = _move(sr, to=Status.ACKNOWLEDGED, by=by, kind=HistoryScope.Kind.STATUS)
    if sr.status != Status.ON_HOLD and Status.ON_HOLD not in ALLOWED_TRANSITIONS[sr.status]:
        raise InvalidTransition(sr.status, Status.ON_HOLD)
    old = sr.status
    sr.status = Status.ON_HOLD
    sr.on_hold_until = until
    _touch(sr, "status", "on_hold_until")
    follow_status(sr, old=old, new=Status.ON_HOLD, at=sr.updated_at)  # the SLA clock pauses until the hold ends
    note = internal_note.strip() or _("On hold until %(date)s.") % {"date": until.isoformat()}
    _record(sr, by=by, kind=HistoryScope.Kind.HOLD, old_status=old, public_note=public_note, internal_note=note)
    if not acknowledged_here:  # else change_status queued the message; it reads the status when it is sent
        _notify_status_change(sr, old_status=old, public_note=public_note)
    return sr


def _assignable(sr, user) -> bool:
    """Works in the request's department: on one of its teams, as its manager or field crew, or as the city's
    operator."""
    return (
        Team.objects.filter(department_id=sr.department_id).filter(Q(members=user) | Q(leads=user)).exists()
        or StaffRole.objects.filter(user=user)
        .filter(
            Q(role__in=[StaffRole.Role.MANAGER, StaffRole.Role.CREW], department_id=sr.department_id)
            | Q(role=StaffRole.Role.OPERATOR, jurisdiction_id=sr.jurisdiction_id)
        )
        .exists()
    )


@transaction.atomic
def assign(service_request, *, by, assignee=None, team: Team | None = None) -> ServiceRequest:
    """Give the request to a person of its department and/or to one of its teams; None and None unassigns.

    Raises InvalidAction if the person or team is not of the request's department.
    """
    sr = _lock(service_request)
    _check_open(sr)
    if team is not None and team.department_id != sr.department_id:
        raise InvalidAction(_("Team %(team)s is not in this request's department.") % {"team": team.name})
    if assignee is not None and not _assignable(sr, assignee):
        raise InvalidAction(_("%(user)s does not work in this request's department.") % {"user": assignee})
    sr.assignee = assignee
    if team is not None:
        sr.team = team
    _touch(sr, "assignee", "team")
    if assignee is None:
        note = _("Unassigned.")
    else:
        note = _("Assigned to %(user)s.") % {"user": assignee.get_username()}
    if team is not None:
        note += " " + _("Team: %(team)s.") % {"team": team.name}
    _record(sr, by=by, kind=HistoryScope.Kind.ASSIGN, internal_note=note)
    return sr


@transaction.atomic
def redact_public_text(
    service_request, *, by, reason: str, description: str, hide_answers: bool = False
) -> ServiceRequest:
    """Moderation: replace what the public sees of the resident's words; the original stays for staff.

    The new public description is masked like any public text; ``hide_answers`` withdraws the free-text
    answers from public view. The history row says who did it and why. Raises InvalidAction without a reason.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidAction(_("Say why the public text is redacted."))
    sr = _lock(service_request)
    sr.public_description = masking_for(sr.jurisdiction).text(description.strip())
    if hide_answers:
        free_text = set(
            sr.service_type.questions.filter(
                datatype__in=[Question.Datatype.STRING, Question.Datatype.TEXT]
            ).values_list("code", flat=True)
        )
        sr.public_answers = {code: value for code, value in sr.public_answers.items() if code not in free_text}
    _touch(sr, "public_description", "public_answers")
    _record(
        sr,
        by=by,
        kind=HistoryScope.Kind.NOTE,
        internal_note=_("Public text redacted: %(reason)s") % {"reason": reason[:500]},
    )
    return sr


@transaction.atomic
def change_priority(service_request, *, priority: int, by, internal_note: str = "") -> ServiceRequest:
    """Set the priority. Raises InvalidAction for an unknown priority or a closed request."""
    sr = _lock(service_request)
    _check_open(sr)
    if priority not in Priority.values:
        raise InvalidAction(_("Unknown priority."))
    if priority == sr.priority:
        raise InvalidAction(_("The priority is already %(p)s.") % {"p": Priority(priority).label})
    old = Priority(sr.priority).label
    sr.priority = priority
    _touch(sr, "priority")
    note = _("Priority %(old)s → %(new)s.") % {"old": old, "new": Priority(priority).label}
    _record(sr, by=by, kind=HistoryScope.Kind.PRIORITY, internal_note=f"{note} {internal_note}".strip())
    return sr


@transaction.atomic
def change_service_type(
    service_request, *, service_type: ServiceType, by, internal_note: str = "", department: Department | None = None
) -> ServiceRequest:
    """Change the service type (of the same jurisdiction) and route the request again after commit.

    With a ``department`` chosen by staff the request moves there as a transfer would, and routing keeps that
    choice. Raises InvalidAction for a type or department of another jurisdiction, or the same type.
    """
    sr = _lock(service_request)
    _check_open(sr)
    if service_type.jurisdiction_id != sr.jurisdiction_id:
        raise InvalidAction(_("That service type belongs to another city."))
    if service_type.pk == sr.service_type_id:
        raise InvalidAction(_("The request already has this service type."))
    if department is not None and department.jurisdiction_id != sr.jurisdiction_id:
        raise InvalidAction(_("That department belongs to another city."))
    old = sr.service_type.name
    from_department_id = sr.department_id
    sr.service_type = service_type
    note = _("Service type %(old)s → %(new)s.") % {"old": old, "new": service_type.name}
    if department is not None:
        if department.pk != sr.department_id:
            sr.department, sr.team, sr.assignee = department, None, None
            note += " " + _("Moved to %(dept)s.") % {"dept": department.name}
        sr.routing_state = RoutingState.ROUTED
        _touch(sr, "service_type", "department", "team", "assignee", "routing_state")
        _record_staff_decision(sr)
    else:
        # Waiting again: the after-commit routing (or, should it fail, routing's sweep) places it by the new type.
        sr.routing_state = RoutingState.PENDING
        _touch(sr, "service_type", "routing_state")
        note += " " + _("Routing again for the new type.")
        _route_after_commit(sr)
    _record(
        sr,
        by=by,
        kind=HistoryScope.Kind.SERVICE_TYPE,
        internal_note=f"{note} {internal_note}".strip(),
        to_department=department,
        department_id=from_department_id,
    )
    return sr


def _record_staff_decision(sr) -> RoutingDecision:
    """Record staff's choice of department as the request's routing decision.

    route_request would apply the rules again and could send the request straight back, so an explicit
    transfer is not re-routed: it becomes the latest decision (no rule, the staff's department and team) and the
    request counts as routed (out of triage too). Its due time stays: the clock runs from filing, not from each
    move. The staff member's written reason stays in the history, scoped to the departments
    involved; the decision, which any staff of the city may read, says only that staff chose.
    """
    return RoutingDecision.objects.create(
        service_request=sr,
        created_at=timezone.now(),
        state=RoutingState.ROUTED,
        rule_label="",
        inputs={"staff_choice": True},
        routed_service_type=sr.service_type,
        department=sr.department,
        team=sr.team,
        assignee=sr.assignee,
        priority=sr.priority,
        expected_at=sr.expected_at,
        reason=_("Staff chose %(department)s.") % {"department": sr.department.name},
    )


@transaction.atomic
def transfer(
    service_request, *, to_department: Department, reason: str, by, team: Team | None = None, public_note: str = ""
) -> ServiceRequest:
    """Send a request to another department with a reason its queue sees; it becomes the routing decision.

    Only the department holding the request (triage while it waits there) or an operator of its city may: a
    transfer must never let someone pull a request, and its requester's contact, into their own department.
    Raises InvalidAction for anyone else, without a reason, for the same department or one of another city.
    """
    sr = _lock(service_request)
    if not scope_for(by).works_on(sr):
        raise InvalidAction(_("Only the department holding a request, or an operator, may transfer it."))
    _check_open(sr)
    if not reason.strip():
        raise InvalidAction(_("Say why the request is transferred."))
    if to_department.jurisdiction_id != sr.jurisdiction_id:
        raise InvalidAction(_("That department belongs to another city."))
    if to_department.pk == sr.department_id:
        raise InvalidAction(_("The request is already in %(dept)s.") % {"dept": to_department.name})
    if team is not None and team.department_id != to_department.pk:
        raise InvalidAction(_("Team %(team)s is not in %(dept)s.") % {"team": team.name, "dept": to_department.name})
    from_department_id = sr.department_id
    sr.department, sr.team, sr.assignee = to_department, team, None
    sr.routing_state = RoutingState.ROUTED
    _touch(sr, "department", "team", "assignee", "routing_state")
    _record_staff_decision(sr)
    _record(
        sr,
        by=by,
        kind=HistoryScope.Kind.TRANSFER,
        public_note=public_note,
        internal_note=reason,
        to_department=to_department,
        department_id=from_department_id,
    )
    return sr


@transaction.atomic
def ask_requester(service_request, *, question: str, by) -> ServiceRequest:
    """Ask the requester a question: a public note on their page, and a message if they consented to questions.

    Raises InvalidAction without a question, for a closed request, or without a live consent to questions.
    """
    sr = _lock(service_request)
    _check_open(sr)
    question = question.strip()
    if not question:
        raise InvalidAction(_("Write the question."))
    if Purpose.DEPARTMENT_QUESTIONS not in live_purposes(sr.pk):
        raise InvalidAction(_("The requester did not agree to questions from the department."))
    _touch(sr)
    _record(
        sr, by=by, kind=HistoryScope.Kind.NOTE, public_note=question, internal_note=_("Question sent to the requester.")
    )
    # The id only: the question itself is on the requester's page, the message just points there.
    transaction.on_commit(lambda: notify_requester(sr.pk, Event.DEPARTMENT_QUESTION), robust=True)
    return sr


@transaction.atomic
def merge(duplicate, *, into, by, public_note: str = "") -> ServiceRequest:
    """Close ``duplicate`` with a pointer to ``into``; its "me too" count and its own duplicates move over.

    Raises InvalidAction for a request merged into itself, another city's, or a closed original;
    InvalidTransition if the duplicate's status can't become duplicate (for example on hold).
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
    _touch(original, "me_too_count")
    _record(
        original,
        by=by,
        kind=HistoryScope.Kind.MERGE,
        internal_note=_('%(dup)s merged into this request (+%(n)d "me too").') % {"dup": dup.public_id, "n": moved},
    )
    old = dup.status
    now = timezone.now()
    dup.status, dup.duplicate_of, dup.me_too_count, dup.closed_at = Status.DUPLICATE, original, 0, now
    _touch(dup, "status", "duplicate_of", "me_too_count", "closed_at")
    note = public_note.strip() or _("This is the same problem as request %(id)s; follow it there.") % {
        "id": original.public_id
    }
    _record(
        dup,
        by=by,
        kind=HistoryScope.Kind.MERGE,
        old_status=old,
        public_note=note,
        internal_note=_("Merged into %(id)s.") % {"id": original.public_id},
    )
    _notify_status_change(dup, old_status=old, public_note=note)
    return dup


@transaction.atomic
def set_permit_step(
    service_request, *, step: str, by, explanation: str = "", internal_note: str = ""
) -> ServiceRequest:
    """Move a permit application to its next step; a decision is explained to the applicant as a public note.

    Approval and refusal resolve the request. Raises InvalidAction for a non-permit request, a step that
    can't follow, or a decision without an explanation.
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
    old_status = sr.status
    if step in (PermitStep.APPROVED, PermitStep.REFUSED) and sr.status in OPEN_STATUSES:
        # A decision ends the application: resolve it, through "in progress" if the pipeline wants that.
        allowed = ALLOWED_TRANSITIONS[sr.status]
        if Status.RESOLVED not in allowed and Status.IN_PROGRESS in allowed:
            sr.status = Status.IN_PROGRESS
        if Status.RESOLVED in ALLOWED_TRANSITIONS[sr.status]:
            sr.status, sr.closed_at = Status.RESOLVED, timezone.now()
    elif step == PermitStep.UNDER_REVIEW and Status.IN_PROGRESS in ALLOWED_TRANSITIONS[sr.status]:
        sr.status = Status.IN_PROGRESS
    sr.permit_step = step
    _touch(sr, "permit_step", "status", "closed_at")
    note = _("Permit step: %(step)s.") % {"step": PermitStep(step).label}
    _record(
        sr,
        by=by,
        kind=HistoryScope.Kind.PERMIT,
        old_status=old_status,
        public_note=f"{note} {explanation}".strip(),
        internal_note=internal_note,
    )
    _notify_status_change(sr, old_status=old_status, public_note=explanation)
    return sr
