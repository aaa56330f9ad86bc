"""An attacker probes "already reported?" from many points to find a sensitive request's door.

The answers depend on the grid cell alone: moving the request inside its cell changes no answer, so the best
the probes can tell is the cell that every public output already shows.
"""

import itertools

import pytest
from django.contrib.gis.geos import Point

from requests_app.models import ServiceRequest
from requests_app.public_location import GRID_DEGREES, coarsen
from tests.factories import ServiceRequestFactory

from .conftest import EXACT_LAT, EXACT_LON

pytestmark = pytest.mark.django_db

STEP = GRID_DEGREES / 8  # probes eight times finer than the grid


def probe_everywhere(client, slug, public_id) -> set[tuple[float, float]]:
    """The probe points (a square of three cells a side around the door) whose answer names the request."""
    hits = set()
    for i, j in itertools.product(range(-12, 13), repeat=2):
        lon, lat = round(EXACT_LON + i * STEP, 6), round(EXACT_LAT + j * STEP, 6)
        answer = client.get(f"/{slug}/report/noise/nearby/", {"lat": lat, "lon": lon})
        assert answer.status_code == 200
        for found in answer.json()["requests"]:
            assert found["distance_m"] is None
            if found["public_id"] == public_id:
                hits.add((lon, lat))
    return hits


def test_probing_the_nearby_lookup_finds_the_grid_cell_and_nothing_finer(client, jurisdiction, noise, settings):
    settings.RATE_LIMIT_NEARBY = "100000/3600"
    sr = ServiceRequestFactory(service_type=noise, location=Point(EXACT_LON, EXACT_LAT, srid=4326))
    hits = probe_everywhere(client, jurisdiction.slug, sr.public_id)
    cell = coarsen(sr.location)
    assert hits and all(coarsen(Point(lon, lat, srid=4326)) == cell for lon, lat in hits)

    # The same request at another point of the same cell: every probe answers the same.
    elsewhere = Point(cell.x + GRID_DEGREES * 0.4, cell.y - GRID_DEGREES * 0.4, srid=4326)
    assert coarsen(elsewhere) == cell
    ServiceRequest.objects.filter(pk=sr.pk).update(location=elsewhere)
    assert probe_everywhere(client, jurisdiction.slug, sr.public_id) == hits

    # The attacker's best guess, the middle of the answering probes, is the cell's centre, not the door.
    guess_lon = sum(lon for lon, _lat in hits) / len(hits)
    guess_lat = sum(lat for _lon, lat in hits) / len(hits)
    assert abs(guess_lon - cell.x) < STEP and abs(guess_lat - cell.y) < STEP


def test_the_nearby_lookup_is_rate_limited_per_client(client, jurisdiction, noise, settings):
    settings.RATE_LIMIT_NEARBY = "5/3600"
    url = f"/{jurisdiction.slug}/report/noise/nearby/"
    answers = [client.get(url, {"lat": EXACT_LAT, "lon": EXACT_LON}).status_code for _ in range(7)]
    assert answers == [200] * 5 + [429] * 2
    assert int(client.get(url, {"lat": EXACT_LAT, "lon": EXACT_LON})["Retry-After"]) > 0
