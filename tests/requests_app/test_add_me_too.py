import pytest

from requests_app.exceptions import RequestNotOpen
from requests_app.services import add_me_too
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_it_counts_each_resident_who_says_me_too(pothole):
    sr = ServiceRequestFactory(service_type=pothole)
    add_me_too(sr)
    assert add_me_too(sr).me_too_count == 2


def test_it_refuses_a_me_too_for_a_closed_request_and_counts_nothing(pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.CLOSED)
    with pytest.raises(RequestNotOpen):
        add_me_too(sr)
    sr.refresh_from_db()
    assert sr.me_too_count == 0
