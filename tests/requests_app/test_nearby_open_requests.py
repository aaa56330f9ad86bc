from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from requests_app.selectors import nearby_open_requests
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db
HERE = Point(-122.4194, 37.7749, srid=4326)
METRES_60_NORTH = Point(-122.4194, 37.77544, srid=4326)
METRES_500_NORTH = Point(-122.4194, 37.7794, srid=4326)


def test_it_finds_open_requests_of_the_same_type_nearby_nearest_first(pothole):
    near = ServiceRequestFactory(service_type=pothole, location=METRES_60_NORTH)
    nearest = ServiceRequestFactory(service_type=pothole, location=HERE)
    assert list(nearby_open_requests(service_type=pothole, point=HERE)) == [nearest, near]


def test_it_leaves_out_far_closed_old_and_other_type_requests(pothole, jurisdiction):
    ServiceRequestFactory(service_type=pothole, location=METRES_500_NORTH)
    ServiceRequestFactory(service_type=pothole, location=HERE, status=Status.CLOSED)
    ServiceRequestFactory(service_type=pothole, location=HERE, submitted_at=timezone.now() - timedelta(days=90))
    ServiceRequestFactory(service_type=ServiceTypeFactory(jurisdiction=jurisdiction), location=HERE)
    assert list(nearby_open_requests(service_type=pothole, point=HERE)) == []
