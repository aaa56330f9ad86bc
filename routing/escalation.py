"""Escalation of overdue requests: levels (team lead, department head, operator), each after its own delay,
and notices kept as rows with a delivery state, so a failing mail server delays a notice but never loses one."""

import logging
from datetime import datetime
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest, StatusChange
from requests_app.statuses import Priority, Status

from .clocks import calendar_for
from .models import EscalationLevel, EscalationNotice, SlaClock

logger = logging.getLogger(__name__)

# Without levels set by the city, the team leads hear of a request as soon as it is overdue.
DEFAULT_LEVELS = ((EscalationLevel.Level.TEAM_LEAD, 0),)
# A notice that failed this many times is given up (and shown so) rather than retried for ever.
MAX_ATTEMPTS = 5


def _recipients(sr: ServiceRequest, level: int) -> list:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if level == EscalationLevel.Level.TEAM_LEAD:
        return list(users.filter(led_teams=sr.team_id)) if sr.team_id else []
    if level == EscalationLevel.Level.DEPARTMENT_HEAD:
        # Department managers hold a staff role (frontend.staff); the relation is read by name, not imported.
        return (
            list(users.filter(staff_roles__role="manager", staff_roles__department_id=sr.department_id).distinct())
            if sr.department_id
            else []
        )
    return list(users.filter(staff_roles__role="operator", staff_roles__jurisdiction_id=sr.jurisdiction_id).distinct())


def _levels(jurisdiction_id: int) -> list[tuple[int, int]]:
    levels = list(
        EscalationLevel.objects.filter(jurisdiction_id=jurisdiction_id)
        .order_by("level")
        .values_list("level", "after_hours")
    )
    return levels or list(DEFAULT_LEVELS)


@transaction.atomic
def escalate_overdue_request(service_request_id: int, *, now: datetime | None = None) -> bool:
    """Mark an open request past its due time overdue (priority up once) and notify each level it has reached.

    Returns False when nothing new happened (not due, on hold, closed, or every reached level told already).
    """
    now = now or timezone.now()
    sr = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service_type", "team", "jurisdiction")
        .get(pk=service_request_id)
    )
    if not sr.is_open or sr.status == Status.ON_HOLD or sr.expected_at is None or sr.expected_at > now:
        return False
    clock, _created = SlaClock.objects.select_for_update().get_or_create(
        service_request=sr, defaults={"started_at": sr.submitted_at, "resolve_due_at": sr.expected_at}
    )
    if clock.paused_at is not None:
        return False
    calendar = calendar_for(sr)
    reached = [
        level
        for level, after in _levels(sr.jurisdiction_id)
        if level > clock.escalation_level and calendar.add(sr.expected_at, after) <= now
    ]
    newly_overdue = not sr.overdue
    if not reached and not newly_overdue:
        return False
    if newly_overdue:
        old_priority = sr.priority
        sr.priority = min(sr.priority + 1, Priority.URGENT)
        sr.overdue, sr.updated_at = True, now
        with translation.override(sr.jurisdiction.default_language):
            note = _("Past its target time (%(expected)s): marked overdue, priority %(old)s → %(new)s.") % {
                "expected": sr.expected_at.isoformat(timespec="minutes"),
                "old": Priority(old_priority).label,
                "new": Priority(sr.priority).label,
            }
        StatusChange.objects.create(
            service_request=sr, at=now, old_status=sr.status, new_status=sr.status, internal_note=note
        )
        sr.save(update_fields=["priority", "overdue", "updated_at"])
    notices = [
        EscalationNotice(service_request=sr, level=level, recipient=user, due_at=sr.expected_at, created_at=now)
        for level in reached
        for user in _recipients(sr, level)
    ]
    EscalationNotice.objects.bulk_create(notices, ignore_conflicts=True)
    if reached:
        clock.escalation_level = max(reached)
        clock.save(update_fields=["escalation_level"])
    transaction.on_commit(deliver_escalation_notices, robust=True)
    return True


def escalate_overdue_requests(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Escalate every open request past its due time that has something new to escalate; returns how many."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.objects.open()
        .exclude(status=Status.ON_HOLD)
        .filter(expected_at__lt=now)
        .filter(Q(overdue=False) | Q(sla_clock__escalation_level__lt=max(EscalationLevel.Level.values)))
        .order_by("expected_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(escalate_overdue_request(pk, now=now) for pk in ids)


def _message(notice: EscalationNotice) -> tuple[str, str]:
    """The notice's text: the request's id, type, team and due time, never the resident's data."""
    sr = notice.service_request
    values = {
        "id": sr.public_id,
        "type": sr.service_type.name,
        "team": sr.team.name if sr.team else "-",
        "expected": notice.due_at.isoformat(timespec="minutes"),
        "priority": Priority(sr.priority).label,
        "level": EscalationLevel.Level(notice.level).label,
    }
    subject = _("Overdue: request %(id)s (%(type)s)") % values
    body = (
        _(
            "Request %(id)s (%(type)s) in team %(team)s was due at %(expected)s and is not resolved. "
            "Its priority is now %(priority)s. You are told as: %(level)s."
        )
        % values
    )
    return subject, body


def deliver_escalation_notices(*, limit: int = 500) -> int:
    """Send waiting and failed notices, one transaction each; returns how many were sent.

    A notice that fails is counted and kept for the next run; it never stops the others.
    """
    sent = 0
    ids = list(
        EscalationNotice.objects.filter(state__in=[EscalationNotice.State.PENDING, EscalationNotice.State.FAILED])
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for notice_id in ids:
        with transaction.atomic():
            notice = (
                EscalationNotice.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("service_request__service_type", "service_request__team", "recipient")
                .filter(pk=notice_id, state__in=[EscalationNotice.State.PENDING, EscalationNotice.State.FAILED])
                .first()
            )
            if notice is None:  # sent meanwhile by another worker
                continue
            notice.attempts += 1
            try:
                with translation.override(settings.LANGUAGE_CODE):
                    subject, body = _message(notice)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.recipient.email])
            except (SMTPException, OSError) as exc:
                logger.warning("escalation notice %s failed (attempt %s)", notice.pk, notice.attempts)
                notice.last_error = str(exc)[:300]
                notice.state = (
                    EscalationNotice.State.GAVE_UP if notice.attempts >= MAX_ATTEMPTS else EscalationNotice.State.FAILED
                )
            else:
                notice.state, notice.sent_at, notice.last_error = EscalationNotice.State.SENT, timezone.now(), ""
                sent += 1
            notice.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    return sent
