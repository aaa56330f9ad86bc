from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from requests_app.selectors import NearbyProbe, nearby_open_requests, nearby_open_requests_for_many
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


def test_the_many_points_variant_gives_the_same_answers(pothole, jurisdiction):
    near = ServiceRequestFactory(service_type=pothole, location=METRES_60_NORTH)
    nearest = ServiceRequestFactory(service_type=pothole, location=HERE)
    ServiceRequestFactory(service_type=pothole, location=METRES_500_NORTH)
    ServiceRequestFactory(service_type=pothole, location=HERE, status=Status.CLOSED)
    ServiceRequestFactory(service_type=pothole, location=HERE, submitted_at=timezone.now() - timedelta(days=90))
    ServiceRequestFactory(service_type=ServiceTypeFactory(jurisdiction=jurisdiction), location=HERE)
    probes = [
        NearbyProbe(key=1, service_type_id=pothole.pk, point=HERE),
        NearbyProbe(key=2, service_type_id=pothole.pk, point=METRES_500_NORTH, metres=600, exclude_id=near.pk),
        NearbyProbe(key=3, service_type_id=pothole.pk, point=HERE, days=120),
    ]
    found = nearby_open_requests_for_many(probes)
    for probe in probes:
        expected = nearby_open_requests(
            service_type=pothole, point=probe.point, metres=probe.metres, days=probe.days, exclude_id=probe.exclude_id
        )
        assert [pk for pk, _public_id, _metres in found.get(probe.key, [])] == [sr.pk for sr in expected]
    assert [pk for pk, _p, _m in found[1]] == [nearest.pk, near.pk]
