import pytest
from django.contrib.gis.geos import Point

from frontend.selectors import places_matching
from tests.factories import AreaFactory, AreaLayerFactory, ServiceRequestFactory, ServiceTypeFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission(jurisdiction):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods")
    return AreaFactory(
        layer=layer, name="Mission", name_translations={"zh-hans": "教会区"}, boundary=square(-122.43, 37.75, 0.02)
    )


def test_it_finds_an_area_by_its_name_in_either_language_with_a_point_inside(jurisdiction, mission):
    by_english = places_matching(jurisdiction=jurisdiction, query="missi")
    by_chinese = places_matching(jurisdiction=jurisdiction, query="教会")
    assert [p["label"] for p in by_english] == ["Mission"]
    assert len(by_chinese) == 1
    assert mission.boundary.contains(Point(by_english[0]["lon"], by_english[0]["lat"], srid=4326))


def test_it_finds_each_address_of_the_jurisdictions_requests_once(jurisdiction, pothole):
    for _ in range(3):
        ServiceRequestFactory(service_type=pothole, address="500 Valencia St")
    places = places_matching(jurisdiction=jurisdiction, query="valencia")
    assert places == [{"label": "500 Valencia St", "kind": "address", "lat": 37.7749, "lon": -122.4194}]


def test_it_never_offers_addresses_of_sensitive_requests_or_other_cities(jurisdiction, pothole):
    noise = ServiceTypeFactory(jurisdiction=jurisdiction, code="noise", sensitive=True)
    ServiceRequestFactory(service_type=noise, address="12 Quiet Lane")
    ServiceRequestFactory(service_type=ServiceTypeFactory(), address="12 Quiet Lane Elsewhere")
    assert places_matching(jurisdiction=jurisdiction, query="quiet") == []


def test_it_needs_two_characters_before_searching(jurisdiction, mission):
    assert places_matching(jurisdiction=jurisdiction, query="m") == []
