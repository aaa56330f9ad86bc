"""Staff actions on service requests. Each is one transaction: it locks the row, checks the change (who may, in
which department), lets requests_app's services write the state and its history row, and keeps the department
that history row belongs to (so internal notes stay inside the department that wrote them).

What the requester hears, the SLA clock, routing and the outbox follow from the request domain's
``status_changed`` signal; none leaves before the transaction commits.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from requests_app import services as core
from requests_app.exceptions import InvalidAction
from requests_app.models import Question, ServiceRequest, ServiceType
from requests_app.public_text import masking_for
from requests_app.services import check_open, record_change
from requests_app.statuses import RoutingState, Status
from routing.models import Department, RoutingDecision, Team
from routing.tasks import route_after_commit

from .access import scope_for
from .models import HistoryScope, StaffRole


def _lock(service_request) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=service_request.pk)


def keep_scope(sr, kind: str, *, department_id=None, to_department=None) -> ServiceRequest:
    """Say which department ``sr.history_entry`` (just written) belongs to, and what kind of action it was."""
    if sr.history_entry is not None:
        HistoryScope.objects.create(
            status_change=sr.history_entry,
            kind=kind,
            department_id=department_id if department_id is not None else sr.department_id,
            to_department=to_department,
        )
    return sr


@transaction.atomic
def acknowledge(service_request, *, by, public_note: str = "") -> ServiceRequest:
    """Say the request was seen. Raises InvalidTransition unless it is new or reopened."""
    sr = _lock(service_request)
    if sr.status == Status.ACKNOWLEDGED:
        raise InvalidAction(_("%(id)s is already acknowledged.") % {"id": sr.public_id})
    sr = core.change_status(sr, to=Status.ACKNOWLEDGED, by=by, public_note=public_note)
    return keep_scope(sr, HistoryScope.Kind.STATUS)


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
    sr = core.change_status(sr, to=to, by=by, public_note=public_note, internal_note=internal_note)
    return keep_scope(sr, kind)


@transaction.atomic
def hold(service_request, *, until: date, by, public_note: str = "", internal_note: str = "") -> ServiceRequest:
    """Put a request on hold until a date (requests_app's hold). Raises InvalidAction for a past date,
    InvalidTransition if not allowed."""
    sr = _lock(service_request)
    if sr.status == Status.SUBMITTED:
        # As requests_app's hold would: acknowledged first, here so that row too is kept in the department. The
        # date is checked there; a refused one rolls this back with the rest.
        keep_scope(core.change_status(sr, to=Status.ACKNOWLEDGED, by=by), HistoryScope.Kind.STATUS)
    sr = core.hold(sr, until=until, by=by, public_note=public_note, internal_note=internal_note)
    return keep_scope(sr, HistoryScope.Kind.HOLD)


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
    check_open(sr)
    if team is not None and team.department_id != sr.department_id:
        raise InvalidAction(_("Team %(team)s is not in this request's department.") % {"team": team.name})
    if assignee is not None and not _assignable(sr, assignee):
        raise InvalidAction(_("%(user)s does not work in this request's department.") % {"user": assignee})
    sr.assignee = assignee
    if team is not None:
        sr.team = team
    if assignee is None:
        note = _("Unassigned.")
    else:
        note = _("Assigned to %(user)s.") % {"user": assignee.get_username()}
    if team is not None:
        note += " " + _("Team: %(team)s.") % {"team": team.name}
    sr = record_change(sr, by=by, fields=("assignee", "team"), internal_note=note)
    return keep_scope(sr, HistoryScope.Kind.ASSIGN)


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
    sr = record_change(
        sr,
        by=by,
        fields=("public_description", "public_answers"),
        internal_note=_("Public text redacted: %(reason)s") % {"reason": reason[:500]},
    )
    return keep_scope(sr, HistoryScope.Kind.NOTE)


@transaction.atomic
def change_priority(service_request, *, priority: int, by, internal_note: str = "") -> ServiceRequest:
    """Set the priority (requests_app's change_priority). Raises InvalidAction for an unknown priority or a closed
    request."""
    sr = core.change_priority(service_request, priority=priority, by=by, internal_note=internal_note)
    return keep_scope(sr, HistoryScope.Kind.PRIORITY)


@transaction.atomic
def change_service_type(
    service_request, *, service_type: ServiceType, by, internal_note: str = "", department: Department | None = None
) -> ServiceRequest:
    """Change the service type (of the same jurisdiction) and route the request again, in Celery, after commit.

    With a ``department`` chosen by staff the request moves there as a transfer would, and routing keeps that
    choice. Raises InvalidAction for a type or department of another jurisdiction, or the same type.
    """
    sr = _lock(service_request)
    check_open(sr)
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
        fields = ("service_type", "department", "team", "assignee", "routing_state")
        _record_staff_decision(sr)
    else:
        # Waiting again: the routing task (or, should it be lost, routing's sweep) places it by the new type.
        sr.routing_state = RoutingState.PENDING
        fields = ("service_type", "routing_state")
        note += " " + _("Routing again for the new type.")
        route_after_commit(sr.pk)
    sr = record_change(sr, by=by, fields=fields, internal_note=f"{note} {internal_note}".strip())
    return keep_scope(sr, HistoryScope.Kind.SERVICE_TYPE, to_department=department, department_id=from_department_id)


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
    check_open(sr)
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
    _record_staff_decision(sr)
    sr = record_change(
        sr,
        by=by,
        fields=("department", "team", "assignee", "routing_state"),
        public_note=public_note,
        internal_note=reason,
    )
    return keep_scope(sr, HistoryScope.Kind.TRANSFER, to_department=to_department, department_id=from_department_id)


@transaction.atomic
def merge(duplicate, *, into, by, public_note: str = "") -> ServiceRequest:
    """Close ``duplicate`` with a pointer to ``into`` (requests_app's merge), in the history of both.

    Raises InvalidAction for a request merged into itself, another city's, or a closed original;
    InvalidTransition if the duplicate's status can't become duplicate (for example on hold).
    """
    dup = core.merge(duplicate, into=into, by=by, public_note=public_note)
    keep_scope(dup.duplicate_of, HistoryScope.Kind.MERGE)
    return keep_scope(dup, HistoryScope.Kind.MERGE)


@transaction.atomic
def set_permit_step(
    service_request, *, step: str, by, explanation: str = "", internal_note: str = ""
) -> ServiceRequest:
    """Move a permit application to its next step (requests_app's set_permit_step).

    Raises InvalidAction for a non-permit request, a step that can't follow, or a decision without an explanation.
    """
    sr = core.set_permit_step(service_request, step=step, by=by, explanation=explanation, internal_note=internal_note)
    return keep_scope(sr, HistoryScope.Kind.PERMIT)
