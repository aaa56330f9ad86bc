"""The decision clock in working days, counted in routing.hours' calendar (one calendar for every clock)."""
from collections.abc import Container
from datetime import date, timedelta

from routing.hours import add_working_days, is_working_day, public_holidays


def working_calendar(jurisdiction) -> tuple[dict, Container[date]]:
    """(business hours, closed days) of a jurisdiction: its routing settings' hours, its permit settings' holidays."""
    from routing.models import RoutingSettings

    from .models import PermitSettings

    hours = (RoutingSettings.objects.filter(jurisdiction=jurisdiction).values_list("business_hours", flat=True)
             .first()) or {}
    calendar = PermitSettings.objects.filter(jurisdiction=jurisdiction).first()
    if calendar is None:
        return hours, public_holidays("")
    return hours, public_holidays(calendar.holiday_country, calendar.holiday_subdivision,
                                  extra=calendar.city_holidays)


def working_days_between(start: date, end: date, business_hours: dict, closed_days: Container[date]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_working_day(start + timedelta(days=offset), business_hours, closed_days))


def decision_due(*, applied_on: date, working_days: int, paused_working_days: int, business_hours: dict,
                 closed_days: Container[date]) -> date:
    """The day a decision is due: ``working_days`` after the application, plus the days spent waiting."""
    return add_working_days(applied_on, working_days + paused_working_days, business_hours, closed_days=closed_days)


def earliest_start(today: date, notice_working_days: int, business_hours: dict, closed_days: Container[date]) -> date:
    """The first day a permit may start, given the type's minimum notice in working days."""
    return add_working_days(today, notice_working_days, business_hours, closed_days=closed_days)
