from datetime import timedelta

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.utils import timezone, translation

from frontend.public.selectors import MVT_LAYER, map_vector_tile
from frontend.public.services import count_on_map
from requests_app.statuses import Status

# The browser tests here use the same Chromium set-up as tests/browser.
from tests.browser.conftest import browser_context_args, browser_type_launch_args, screenshot  # noqa: F401
from tests.factories import AreaFactory, AreaLayerFactory, ServiceRequestFactory, ServiceTypeFactory, square

# A door in a sensitive report: these digits must never leave the database in a public output.
EXACT_LON, EXACT_LAT = -122.413377, 37.775591


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()
    # A request in Chinese leaves Chinese active in this thread; later tests expect the default.
    translation.deactivate()


@pytest.fixture
def noise(jurisdiction, other_department):
    return ServiceTypeFactory(jurisdiction=jurisdiction, code="noise", name="Noise", group="Neighbours", sensitive=True)


@pytest.fixture
def layer(jurisdiction):
    return AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")


@pytest.fixture
def mission(layer):
    return AreaFactory(layer=layer, code="mission", name="Mission", boundary=square(-122.43, 37.75, 0.03))


@pytest.fixture
def presidio(layer):
    return AreaFactory(layer=layer, code="presidio", name="Presidio", boundary=square(-122.48, 37.79, 0.02))


def decoded(content: bytes) -> list[dict]:
    """The features of a map vector tile, decoded (mapbox-vector-tile, a decoder independent of PostGIS)."""
    layer = mapbox_vector_tile.decode(content, default_options={"y_coord_down": True}).get(MVT_LAYER)
    return layer["features"] if layer else []


def tile_features(jurisdiction, filters, tile) -> list[dict]:
    """The properties of each feature of a map tile, as the map receives them."""
    return [f["properties"] for f in decoded(map_vector_tile(jurisdiction, filters, tile))]


def counted(*requests):
    """Count factory-made requests into the map cells, as the signals do for filed ones."""
    count_on_map([sr.pk for sr in requests])
    return requests[0] if len(requests) == 1 else list(requests)


@pytest.fixture
def sensitive_request(noise, other_department):
    sr = ServiceRequestFactory(
        service_type=noise,
        department=other_department,
        location=Point(EXACT_LON, EXACT_LAT, srid=4326),
        address="12 Quiet Lane",
        description="Loud music every night, call me on 415 555 0199",
    )
    return counted(sr)


@pytest.fixture
def pothole_requests(pothole, department):
    now = timezone.now()
    made = [
        ServiceRequestFactory(
            service_type=pothole,
            department=department,
            location=Point(-122.42 + i * 0.001, 37.76, srid=4326),
            status=Status.SUBMITTED if i % 2 else Status.CLOSED,
            submitted_at=now - timedelta(days=i),
            closed_at=None if i % 2 else now,
        )
        for i in range(6)
    ]
    return counted(*made)
