from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from routing.hours import (
    add_business_hours,
    add_working_days,
    business_time_between,
    is_open,
    is_working_day,
    public_holidays,
)

WEEKDAYS = {str(d): ["09:00", "17:00"] for d in range(5)}
SF = ZoneInfo("America/Los_Angeles")
SHENZHEN = ZoneInfo("Asia/Shanghai")


def test_a_californian_public_holiday_is_closed_all_day():
    closed = public_holidays("US", "CA")
    thanksgiving = datetime(2026, 11, 26, 10, 0, tzinfo=SF)
    assert thanksgiving.date() in closed
    assert not is_open(WEEKDAYS, thanksgiving, "America/Los_Angeles", closed_days=closed)
    assert is_open(WEEKDAYS, thanksgiving + timedelta(days=5), "America/Los_Angeles", closed_days=closed)


def test_hours_counted_over_a_holiday_and_a_weekend_skip_both():
    closed = public_holidays("US", "CA")
    # Wednesday 25 November 2026, 16:00: one hour that day; Thanksgiving and the day after (a California
    # holiday) closed, then the weekend; Monday's eight hours; the last hour on Tuesday morning.
    start = datetime(2026, 11, 25, 16, 0, tzinfo=SF)
    due = add_business_hours(start, 10, WEEKDAYS, "America/Los_Angeles", closed_days=closed)
    assert due == datetime(2026, 12, 1, 10, 0, tzinfo=SF)
    assert business_time_between(start, due, WEEKDAYS, "America/Los_Angeles", closed_days=closed) == timedelta(hours=10)


def test_chinese_national_day_week_is_not_working_time_in_shenzhen():
    closed = public_holidays("CN")
    assert date(2026, 10, 1) in closed
    assert not is_working_day(date(2026, 10, 1), WEEKDAYS, closed)
    start = datetime(2026, 9, 30, 17, 0, tzinfo=SHENZHEN)
    due = add_business_hours(start, 1, WEEKDAYS, "Asia/Shanghai", closed_days=closed)
    assert due.date() > date(2026, 10, 1)
    assert due.date() not in closed and due.weekday() < 5


def test_a_city_holiday_closes_the_day_it_names():
    closed = public_holidays("US", "CA", extra=[date(2026, 12, 2)])
    assert not is_working_day(date(2026, 12, 2), WEEKDAYS, closed)
    assert is_working_day(date(2026, 12, 3), WEEKDAYS, closed)


def test_working_days_skip_weekends_and_holidays():
    closed = public_holidays("US", "CA")
    # Friday 20 November 2026 + 5 working days: 23, 24, 25, (26 Thanksgiving, 27 day after in CA), 30, 1 Dec.
    assert add_working_days(date(2026, 11, 20), 5, WEEKDAYS, closed_days=closed) == date(2026, 12, 1)
    assert add_working_days(date(2026, 11, 20), 0, WEEKDAYS, closed_days=closed) == date(2026, 11, 20)


def test_around_the_clock_hours_still_close_on_holidays():
    closed = frozenset({date(2026, 12, 25)})
    start = datetime(2026, 12, 24, 23, 0, tzinfo=UTC).astimezone(SF)  # 15:00 in SF on the 24th
    due = add_business_hours(start, 10, {}, "America/Los_Angeles", closed_days=closed)
    assert due == datetime(2026, 12, 26, 1, 0, tzinfo=SF)


def test_a_chinese_weekend_worked_in_exchange_for_a_holiday_opens_with_an_ordinary_days_hours():
    closed = public_holidays("CN")
    # Saturday 14 February 2026 is worked before the Spring Festival week (调休); Sunday the 15th is not.
    make_up = date(2026, 2, 14)
    assert is_working_day(make_up, WEEKDAYS, closed_days=closed)
    assert not is_working_day(date(2026, 2, 15), WEEKDAYS, closed_days=closed)
    assert is_open(WEEKDAYS, datetime(2026, 2, 14, 10, 0, tzinfo=SHENZHEN), "Asia/Shanghai", closed_days=closed)
    # Friday 13th at 16:00: one hour that day, then the make-up Saturday's first hour.
    due = add_business_hours(
        datetime(2026, 2, 13, 16, 0, tzinfo=SHENZHEN), 2, WEEKDAYS, "Asia/Shanghai", closed_days=closed
    )
    assert due == datetime(2026, 2, 14, 10, 0, tzinfo=SHENZHEN)


def test_without_make_up_days_a_weekend_stays_closed():
    assert not is_working_day(date(2026, 2, 14), WEEKDAYS, closed_days=public_holidays("US", "CA"))
