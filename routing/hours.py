"""Business hours: whether a jurisdiction is open at a moment, and when N working hours after a moment is."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _


def _window(business_hours: dict, weekday: int) -> tuple[time, time] | None:
    day = business_hours.get(str(weekday))
    if not day:
        return None
    opens, closes = (time.fromisoformat(t) for t in day)
    return (opens, closes) if opens < closes else None


def is_open(business_hours: dict, moment: datetime, tz: str) -> bool:
    """True when ``moment`` lies in the business hours (always, when none are set)."""
    if not business_hours:
        return True
    local = moment.astimezone(ZoneInfo(tz))
    window = _window(business_hours, local.weekday())
    return window is not None and window[0] <= local.time() < window[1]


def add_business_hours(start: datetime, hours: float, business_hours: dict, tz: str) -> datetime:
    """The moment ``hours`` working hours after ``start``, counted in the jurisdiction's time zone."""
    if not business_hours:
        return start + timedelta(hours=hours)
    zone = ZoneInfo(tz)
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(zone)
    for _day in range(366 * 2):
        window = _window(business_hours, cursor.weekday())
        if window is not None:
            opens = datetime.combine(cursor.date(), window[0], tzinfo=zone)
            closes = datetime.combine(cursor.date(), window[1], tzinfo=zone)
            cursor = max(cursor, opens)
            if cursor < closes:
                if cursor + remaining <= closes:
                    return cursor + remaining
                remaining -= closes - cursor
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=zone)
    raise ValueError("business hours leave no working time in two years")


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
