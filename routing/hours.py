"""Working time: business hours by weekday, closed on public holidays, in a jurisdiction's time zone.

One calendar serves every clock in the product (routing's "inside business hours" rules, SLA due times, a
permit's decision clock), so a holiday added by the city moves all of them together.
"""

from collections.abc import Container, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.utils.translation import gettext as _

NO_HOLIDAYS: frozenset[date] = frozenset()


def public_holidays(
    country: str, subdivision: str = "", extra: Iterable[date] = (), years: Iterable[int] = ()
) -> Container[date]:
    """The days a jurisdiction is closed: its country's (and region's) public holidays plus the city's own.

    Years not named in ``years`` are filled in on first look, so the set works for any date. Where a country
    works some weekend days in exchange for a holiday (China), the result also carries them as
    ``weekend_workdays`` and the functions below open those days with an ordinary day's hours.
    """
    if not country:
        return frozenset(extra)
    calendar = holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=list(years))
    calendar.update(dict.fromkeys(extra, _("City holiday")))
    return calendar


def _make_up_workday(day: date, closed_days: Container[date]) -> bool:
    """A weekend day worked in exchange for a holiday (China's 调休), as the holidays package lists them."""
    return day in getattr(closed_days, "weekend_workdays", ())


def _usual_hours(business_hours: dict) -> list[str] | None:
    """The hours of the first weekday that has some: a make-up working day keeps an ordinary day's hours."""
    return next((business_hours[str(d)] for d in range(7) if business_hours.get(str(d))), None)


def _window(business_hours: dict, day: date, closed_days: Container[date]) -> tuple[time, time] | None:
    if day in closed_days:  # also fills in the calendar's year, make-up working days included
        return None
    hours = business_hours.get(str(day.weekday()))
    if not hours and _make_up_workday(day, closed_days):
        hours = _usual_hours(business_hours)
    if not hours:
        return None
    opens, closes = (time.fromisoformat(t) for t in hours)
    return (opens, closes) if opens < closes else None


def is_open(business_hours: dict, moment: datetime, tz: str, *, closed_days: Container[date] = NO_HOLIDAYS) -> bool:
    """True when ``moment`` lies in the business hours (always, when none are set) and is not a holiday."""
    local = moment.astimezone(ZoneInfo(tz))
    if not business_hours:
        return local.date() not in closed_days
    window = _window(business_hours, local.date(), closed_days)
    return window is not None and window[0] <= local.time() < window[1]


def _working_spans(start: datetime, business_hours: dict, zone: ZoneInfo, closed_days: Container[date]):
    """(from, to) stretches of working time from ``start`` on, for two years at most."""
    cursor = start.astimezone(zone)
    for _day in range(366 * 2):
        if business_hours:
            window = _window(business_hours, cursor.date(), closed_days)
        else:
            window = None if cursor.date() in closed_days else (time(0), None)
        if window is not None:
            opens = datetime.combine(cursor.date(), window[0], tzinfo=zone)
            next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=zone)
            closes = next_midnight if window[1] is None else datetime.combine(cursor.date(), window[1], tzinfo=zone)
            if max(cursor, opens) < closes:
                yield max(cursor, opens), closes
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=zone)
    raise ValueError("business hours leave no working time in two years")


def add_business_hours(
    start: datetime, hours: float, business_hours: dict, tz: str, *, closed_days: Container[date] = NO_HOLIDAYS
) -> datetime:
    """The moment ``hours`` working hours after ``start``, counted in the jurisdiction's time zone."""
    if not business_hours and not closed_days:
        return start + timedelta(hours=hours)
    remaining = timedelta(hours=hours)
    for opens, closes in _working_spans(start, business_hours, ZoneInfo(tz), closed_days):
        if opens + remaining <= closes:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: _working_spans raises when time runs out")


def business_time_between(
    start: datetime, end: datetime, business_hours: dict, tz: str, *, closed_days: Container[date] = NO_HOLIDAYS
) -> timedelta:
    """Working time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    for opens, closes in _working_spans(start, business_hours, ZoneInfo(tz), closed_days):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def is_working_day(day: date, business_hours: dict, closed_days: Container[date] = NO_HOLIDAYS) -> bool:
    """A day with some business hours that is not a holiday (every non-holiday, when no hours are set)."""
    if day in closed_days:
        return False
    return not business_hours or _window(business_hours, day, closed_days) is not None


def add_working_days(
    start: date, days: int, business_hours: dict, *, closed_days: Container[date] = NO_HOLIDAYS
) -> date:
    """The date ``days`` working days after ``start`` (a decision due "within 10 working days")."""
    cursor, left = start, days
    for _step in range(366 * 2 + days):
        if left <= 0:
            return cursor
        cursor += timedelta(days=1)
        if is_working_day(cursor, business_hours, closed_days):
            left -= 1
    raise ValueError("business hours leave no working day in two years")


def validate_business_hours(business_hours: dict) -> list[str]:
    """Problems in a business-hours document, as plain strings for the admin form."""
    problems = []
    for key, day in business_hours.items():
        if key not in {str(d) for d in range(7)}:
            problems.append(_("%(key)s is not a weekday number from 0 to 6") % {"key": key})
            continue
        try:
            opens, closes = (time.fromisoformat(t) for t in day)
        except (TypeError, ValueError):
            problems.append(_('Day %(key)s: give ["HH:MM", "HH:MM"]') % {"key": key})
            continue
        if opens >= closes:
            problems.append(_("Day %(key)s: it opens after it closes") % {"key": key})
    return problems
