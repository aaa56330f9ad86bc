"""The decision clock in working days, counted in the city's one calendar (routing.clocks.Calendars), like
every other clock."""

from collections.abc import Container
from datetime import date, timedelta

from routing.clocks import Calendars
from routing.hours import add_working_days, is_working_day
from routing.models import RoutingSettings


def working_calendar(jurisdiction) -> tuple[dict, Container[date]]:
    """(business hours, closed days) of a jurisdiction, from its routing settings and city holidays; a city
    without routing settings works around the clock, every day."""
    routing_settings = RoutingSettings.objects.filter(jurisdiction=jurisdiction).first()
    if routing_settings is None:
        return {}, frozenset()
    calendars = Calendars(routing_settings, jurisdiction)
    return calendars.city_hours, calendars.closed_days


def working_days_between(start: date, end: date, business_hours: dict, closed_days: Container[date]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), business_hours, closed_days)
    )


def decision_due(
    *, applied_on: date, working_days: int, paused_working_days: int, business_hours: dict, closed_days: Container[date]
) -> date:
    """The day a decision is due: ``working_days`` after the application, plus the days spent waiting."""
    return add_working_days(applied_on, working_days + paused_working_days, business_hours, closed_days=closed_days)


def earliest_start(today: date, notice_working_days: int, business_hours: dict, closed_days: Container[date]) -> date:
    """The first day a permit may start, given the type's minimum notice in working days."""
    return add_working_days(today, notice_working_days, business_hours, closed_days=closed_days)
