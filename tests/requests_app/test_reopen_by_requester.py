from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.exceptions import InvalidTransition, ReopenWindowClosed
from requests_app.services import REOPEN_WINDOW, confirm_fixed, reopen_by_requester
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_a_requester_reopens_a_request_closed_recently_and_the_reason_stays_internal(pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.CLOSED, closed_at=timezone.now())
    sr = reopen_by_requester(sr, reason="Still a hole, call me on 415 555 0100")
    change = sr.status_changes.get()
    assert sr.status == Status.REOPENED and sr.closed_at is None
    assert change.public_note == "" and "Still a hole" in change.internal_note


def test_a_requester_cannot_reopen_once_the_window_has_passed(pothole):
    closed = timezone.now() - REOPEN_WINDOW - timedelta(hours=1)
    sr = ServiceRequestFactory(service_type=pothole, status=Status.RESOLVED, closed_at=closed)
    with pytest.raises(ReopenWindowClosed):
        reopen_by_requester(sr)
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED


def test_a_requester_cannot_reopen_a_request_that_is_still_open(pothole):
    with pytest.raises(InvalidTransition):
        reopen_by_requester(ServiceRequestFactory(service_type=pothole, status=Status.IN_PROGRESS))


def test_confirming_a_resolved_request_is_fixed_closes_it(pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.RESOLVED, closed_at=timezone.now())
    assert confirm_fixed(sr).status == Status.CLOSED


def test_only_a_resolved_request_can_be_confirmed_fixed(pothole):
    with pytest.raises(InvalidTransition):
        confirm_fixed(ServiceRequestFactory(service_type=pothole, status=Status.SUBMITTED))
