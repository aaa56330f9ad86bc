from datetime import date, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest

from requests_app.services import release_ended_holds, reopen_by_requester
from requests_app.statuses import Status
from routing.escalation import escalate_overdue_requests
from routing.models import CityHoliday, SlaClock, SlaTarget
from routing.router import route_request
from staffing.services import hold, set_status
from tests.factories import ServiceRequestFactory

from .conftest import HERE

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
WEEKDAYS_9_TO_5 = {str(d): ["09:00", "17:00"] for d in range(5)}
WEEKDAYS_8_TO_4 = {str(d): ["08:00", "16:00"] for d in range(5)}


def la(*args) -> datetime:
    return datetime(*args, tzinfo=LA)


def at(moment: datetime):
    """The system clock reads ``moment`` (every service asks django.utils.timezone.now)."""
    return patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def clocked(jurisdiction, pothole, department, team, downtown, routing_settings, make_rule_set):
    routing_settings.business_hours = WEEKDAYS_9_TO_5
    routing_settings.holiday_country, routing_settings.holiday_subdivision = "US", "CA"
    routing_settings.save()
    department.business_hours = WEEKDAYS_8_TO_4  # the department's own hours beat the city's
    department.save()
    SlaTarget.objects.create(jurisdiction=jurisdiction, service_type=pothole, acknowledge_hours=4, hours=16)
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    return pothole


def test_the_clock_skips_a_holiday_and_a_weekend_pauses_on_hold_and_restarts_on_reopen(clocked, staff):
    # Thursday 3 July 2025, 15:00; Friday 4 July is Independence Day, then a weekend.
    sr = ServiceRequestFactory(service_type=clocked, location=HERE, submitted_at=la(2025, 7, 3, 15, 0))
    with at(la(2025, 7, 3, 15, 1)):
        route_request(sr.pk)
    clock = SlaClock.objects.get(service_request=sr)
    # 1 h on Thursday (to 16:00, the department's closing), then Monday from 08:00.
    assert clock.acknowledge_due_at == la(2025, 7, 7, 11, 0)
    assert clock.resolve_due_at == la(2025, 7, 8, 15, 0)
    sr.refresh_from_db()
    assert sr.expected_at == la(2025, 7, 8, 15, 0)

    # Monday 10:00 it goes on hold until Thursday: 6 h are left on Monday and 7 on Tuesday, 13 h in all.
    with at(la(2025, 7, 7, 10, 0)):
        hold(sr, until=date(2025, 7, 10), by=staff)
    with at(la(2025, 7, 9, 23, 50)):
        assert release_ended_holds() == 0  # not yet Thursday in San Francisco
    with at(la(2025, 7, 10, 0, 15)):
        assert release_ended_holds() == 1
    sr.refresh_from_db()
    assert (sr.status, sr.on_hold_until) == (Status.IN_PROGRESS, None)
    # The 13 h run again from Thursday 08:00: 8 h to 16:00, then 5 h on Friday.
    assert sr.expected_at == la(2025, 7, 11, 13, 0)
    assert SlaClock.objects.get(service_request=sr).paused_at is None

    with at(la(2025, 7, 11, 14, 0)):
        assert escalate_overdue_requests() == 1
    sr.refresh_from_db()
    assert sr.overdue

    with at(la(2025, 7, 11, 14, 30)):
        set_status(sr, to=Status.RESOLVED, by=staff)
    # Monday 14 July, 09:30, the resident says it is not fixed: a fresh clock, no longer overdue.
    with at(la(2025, 7, 14, 9, 30)):
        reopen_by_requester(sr, reason="Still a hole")
    sr.refresh_from_db()
    clock = SlaClock.objects.get(service_request=sr)
    assert not sr.overdue
    assert clock.acknowledge_due_at == la(2025, 7, 14, 13, 30)
    # 6.5 h on Monday, 8 h on Tuesday, 1.5 h on Wednesday.
    assert sr.expected_at == clock.resolve_due_at == la(2025, 7, 16, 9, 30)


def test_a_holiday_the_city_adds_moves_due_times_like_a_public_one(clocked, jurisdiction):
    CityHoliday.objects.create(jurisdiction=jurisdiction, day=date(2025, 7, 7), name="Flood clean-up day")
    sr = ServiceRequestFactory(service_type=clocked, location=HERE, submitted_at=la(2025, 7, 3, 15, 0))
    route_request(sr.pk)
    assert SlaClock.objects.get(service_request=sr).acknowledge_due_at == la(2025, 7, 8, 11, 0)


def test_an_on_hold_request_is_never_escalated(clocked, staff):
    sr = ServiceRequestFactory(service_type=clocked, location=HERE, submitted_at=la(2025, 7, 3, 15, 0))
    route_request(sr.pk)
    with at(la(2025, 7, 7, 10, 0)):
        hold(sr, until=date(2025, 7, 30), by=staff)
    with at(la(2025, 7, 20, 10, 0)):
        assert escalate_overdue_requests() == 0
    sr.refresh_from_db()
    assert not sr.overdue
