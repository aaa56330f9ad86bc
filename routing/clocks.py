"""SLA clocks: due times to acknowledge and to resolve, counted in a department's working time.

A clock starts when a request is routed, pauses while the request is on hold (the business time left is kept
and counted again from the moment the hold ends), and starts afresh when a request is reopened. Every clock
reads the same calendar (routing/hours.py): the department's business hours or the city's, the public holidays
of the jurisdiction's country and region, and the city's own holidays.
"""

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from requests_app.models import ServiceRequest
from requests_app.statuses import Status

from .hours import add_business_hours, business_time_between, public_holidays
from .models import CityHoliday, Department, RoutingSettings, SlaClock, SlaTarget


@dataclass(frozen=True)
class Calendar:
    """Working time as one department counts it."""

    business_hours: dict
    tz: str
    closed_days: Container[date]

    def add(self, start: datetime, hours: float) -> datetime:
        return add_business_hours(start, hours, self.business_hours, self.tz, closed_days=self.closed_days)

    def between(self, start: datetime, end: datetime):
        return business_time_between(start, end, self.business_hours, self.tz, closed_days=self.closed_days)


class Calendars:
    """The calendars of one jurisdiction's departments, read once (holidays included) and kept for a batch."""

    def __init__(self, routing_settings: RoutingSettings, jurisdiction=None):
        jurisdiction = jurisdiction or routing_settings.jurisdiction
        self.tz = jurisdiction.timezone
        self.city_hours = routing_settings.business_hours or {}
        extra = CityHoliday.objects.filter(jurisdiction_id=jurisdiction.pk).values_list("day", flat=True)
        self.closed_days = public_holidays(
            routing_settings.holiday_country, routing_settings.holiday_subdivision, extra=list(extra)
        )
        self._by_department: dict[int | None, Calendar] = {}

    def of(self, department: Department | None) -> Calendar:
        key = department.pk if department else None
        if key not in self._by_department:
            hours = (
                department.business_hours if department and department.business_hours is not None else self.city_hours
            )
            self._by_department[key] = Calendar(business_hours=hours, tz=self.tz, closed_days=self.closed_days)
        return self._by_department[key]


def calendar_for(sr: ServiceRequest) -> Calendar:
    """The calendar the request's clock runs on: its department's, else its city's."""
    routing_settings = (
        RoutingSettings.objects.select_related("jurisdiction").filter(jurisdiction_id=sr.jurisdiction_id).first()
    )
    if routing_settings is None:
        return Calendar(business_hours={}, tz=sr.jurisdiction.timezone, closed_days=frozenset())
    return Calendars(routing_settings).of(sr.department)


class SlaTable:
    """The jurisdiction's SLA targets; the most specific (type and priority, type, priority, any) wins."""

    def __init__(self, jurisdiction_id: int):
        self.targets = {
            (t, p): (a, h)
            for t, p, a, h in SlaTarget.objects.filter(jurisdiction_id=jurisdiction_id).values_list(
                "service_type_id", "priority", "acknowledge_hours", "hours"
            )
        }

    def _target(self, service_type_id: int, priority: int) -> tuple[int | None, int] | None:
        for key in ((service_type_id, priority), (service_type_id, None), (None, priority), (None, None)):
            if key in self.targets:
                return self.targets[key]
        return None

    def hours(self, service_type_id: int, priority: int) -> int | None:
        """Business hours to resolve."""
        target = self._target(service_type_id, priority)
        return target[1] if target else None

    def acknowledge_hours(self, service_type_id: int, priority: int) -> int | None:
        target = self._target(service_type_id, priority)
        return target[0] if target else None


def new_clock(
    sr: ServiceRequest, *, start: datetime, calendar: Calendar, acknowledge_hours: int | None, resolve_hours: int | None
) -> SlaClock:
    """An unsaved clock for a request, started at ``start`` (its filing, or its reopening)."""
    return SlaClock(
        service_request=sr,
        started_at=start,
        acknowledge_hours=acknowledge_hours,
        resolve_hours=resolve_hours,
        acknowledge_due_at=calendar.add(start, acknowledge_hours) if acknowledge_hours else None,
        resolve_due_at=calendar.add(start, resolve_hours) if resolve_hours else None,
    )


def save_clocks(clocks: list[SlaClock]) -> None:
    """Store clocks made by routing; a request routed again (a new type) gets its due times recounted."""
    SlaClock.objects.bulk_create(
        clocks,
        update_conflicts=True,
        unique_fields=["service_request"],
        update_fields=[
            "started_at",
            "acknowledge_hours",
            "resolve_hours",
            "acknowledge_due_at",
            "resolve_due_at",
            "paused_at",
        ],
    )


def follow_status(sr: ServiceRequest, *, old: str, new: str, at: datetime | None = None) -> None:
    """Pause, resume or restart the request's clock for a status change already made in this transaction.

    Called by every status change (requests_app's change_status, staff's hold); the request row is locked.
    """
    if old == new:
        return
    at = at or timezone.now()
    clock = SlaClock.objects.select_for_update().filter(service_request_id=sr.pk).first()
    if clock is None:
        return
    if new == Status.REOPENED:
        _restart(sr, clock, at)
    elif new == Status.ON_HOLD:
        if clock.paused_at is None:
            clock.paused_at = at
            clock.save(update_fields=["paused_at"])
    elif old == Status.ON_HOLD:
        _resume(sr, clock, at)


def _resume(sr: ServiceRequest, clock: SlaClock, at: datetime) -> None:
    """Count again from ``at`` the business time that was left on each due time when the hold began."""
    if clock.paused_at is None:
        return
    calendar = calendar_for(sr)
    for field in ("acknowledge_due_at", "resolve_due_at"):
        due = getattr(clock, field)
        if due is not None and due > clock.paused_at:
            left = calendar.between(clock.paused_at, due)
            setattr(clock, field, calendar.add(at, left.total_seconds() / 3600))
    clock.paused_at = None
    clock.save(update_fields=["acknowledge_due_at", "resolve_due_at", "paused_at"])
    _mirror(sr, clock)


def _restart(sr: ServiceRequest, clock: SlaClock, at: datetime) -> None:
    """A reopened request is new work: a fresh clock from now, and it is no longer overdue."""
    fresh = new_clock(
        sr,
        start=at,
        calendar=calendar_for(sr),
        acknowledge_hours=clock.acknowledge_hours,
        resolve_hours=clock.resolve_hours,
    )
    clock.started_at, clock.paused_at, clock.escalation_level = at, None, 0
    clock.acknowledge_due_at, clock.resolve_due_at = fresh.acknowledge_due_at, fresh.resolve_due_at
    clock.save(update_fields=["started_at", "paused_at", "escalation_level", "acknowledge_due_at", "resolve_due_at"])
    sr.overdue = False
    _mirror(sr, clock)


def _mirror(sr: ServiceRequest, clock: SlaClock) -> None:
    sr.expected_at = clock.resolve_due_at
    ServiceRequest.objects.filter(pk=sr.pk).update(expected_at=sr.expected_at, overdue=sr.overdue)
