"""A sensitive request's exact point must appear in no public output; the published one is the grid's."""

import json
import math
import random

import pytest
from django.contrib.gis.geos import Point

from frontend.public.selectors import POINTS_ZOOM, export_rows
from frontend.public.stats import refresh_statistics
from frontend.public.tiles import tile_for
from requests_app.models import ServiceRequest
from requests_app.public_location import coarsen, public_point

from .conftest import EXACT_LAT, EXACT_LON, decoded

pytestmark = pytest.mark.django_db

EXACT_DIGITS = ("413377", "775591")


def _body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def _leaks(text: str) -> bool:
    return any(digits in text for digits in EXACT_DIGITS)


def _public_outputs(client, jurisdiction, sr, area):
    slug = jurisdiction.slug
    yield "card", _body(client.get(f"/map/{slug}/cards/{sr.public_id}.json"))
    for z in (12, 14, POINTS_ZOOM, 18, 20):
        tile = tile_for(coarsen(sr.location).x, coarsen(sr.location).y, z)
        yield f"tile z{z}", json.dumps(decoded(client.get(f"/map/{slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt").content))
    yield "list", _body(client.get(f"/map/{slug}/list.json?west=-123&south=37&east=-122&north=38"))
    yield "csv", _body(client.get(f"/open-data/{slug}/requests.csv"))
    yield "geojson", _body(client.get(f"/open-data/{slug}/requests.geojson"))
    yield "area feed", _body(client.get(f"/feeds/{slug}/areas/{area.pk}/rss/"))
    yield "type feed", _body(client.get(f"/feeds/{slug}/types/noise/atom/"))
    refresh_statistics(jurisdiction)
    yield "stats", _body(client.get(f"/stats/{slug}/"))
    yield "stats csv", _body(client.get(f"/stats/{slug}/per-area.csv"))


def test_the_exact_point_of_a_sensitive_request_is_in_no_public_output(
    client, jurisdiction, sensitive_request, mission
):
    outputs = dict(_public_outputs(client, jurisdiction, sensitive_request, mission))
    assert [name for name, text in outputs.items() if _leaks(text)] == []
    # ...and the outputs did publish the request, at the grid point.
    grid = coarsen(sensitive_request.location)
    assert f"{grid.x}" in outputs["csv"] and f"{grid.y}" in outputs["geojson"]
    assert sensitive_request.public_id in outputs["tile z18"] and sensitive_request.public_id in outputs["list"]


def test_the_address_and_personal_text_of_a_sensitive_request_are_left_out(
    client, jurisdiction, sensitive_request, mission
):
    outputs = dict(_public_outputs(client, jurisdiction, sensitive_request, mission))
    assert not any("Quiet Lane" in text for text in outputs.values())
    assert not any("555 0199" in text for text in outputs.values())
    assert "Loud music every night, call me on [removed]" in outputs["csv"]


def test_staff_data_keeps_the_exact_point(sensitive_request):
    stored = ServiceRequest.objects.get(pk=sensitive_request.pk).location
    assert (round(stored.x, 6), round(stored.y, 6)) == (EXACT_LON, EXACT_LAT)


def test_sql_coarsening_matches_the_python_function_point_for_point(noise):
    rng = random.Random(311)
    points = [Point(-122.52 + rng.random() * 0.17, 37.70 + rng.random() * 0.12, srid=4326) for _ in range(300)]
    # Exactly on grid half-steps too: both sides must break the tie the same way.
    points += [Point(-122.421 + 0.002 * i, 37.761 + 0.002 * i, srid=4326) for i in range(20)]
    from tests.factories import ServiceRequestFactory

    for point in points:
        ServiceRequestFactory(service_type=noise, location=point)
    published = {row[0]: (row[10], row[11]) for row in export_rows(noise.jurisdiction, {})}
    for sr in ServiceRequest.objects.select_related("service_type"):
        expected = public_point(sr)
        assert published[sr.public_id] == (expected.x, expected.y), sr.location.coords


def test_the_map_payloads_carry_no_personal_keys(client, jurisdiction, sensitive_request):
    tile = tile_for(EXACT_LON, EXACT_LAT, 18)
    card = client.get(f"/map/{jurisdiction.slug}/cards/{sensitive_request.public_id}.json").json()
    features = decoded(client.get(f"/map/{jurisdiction.slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt").content)
    keys = set(card) | {k for f in features for k in f["properties"]}
    assert not keys & {"email", "phone", "name", "address", "tracking_token"}
    assert json.dumps(card).count("coarsened") == 1 and card["coarsened"] is True


def _vector_points(content: bytes, tile) -> list[tuple[float, float, dict]]:
    """The features of a vector tile as (longitude, latitude, properties): tile pixels back to degrees."""
    n, extent = 2**tile.z, 4096  # ST_AsMVT's default extent
    points = []
    for feature in decoded(content):
        px, py = feature["geometry"]["coordinates"]
        lon = (tile.x + px / extent) / n * 360 - 180
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (tile.y + py / extent) / n))))
        points.append((lon, lat, feature["properties"]))
    return points


@pytest.mark.parametrize("z", [10, 12, 14, 15, POINTS_ZOOM, 18, 20])
def test_vector_tiles_place_a_sensitive_request_on_its_grid_point_with_no_personal_keys(
    client, jurisdiction, sensitive_request, z
):
    grid = coarsen(sensitive_request.location)
    tile = tile_for(grid.x, grid.y, z)
    response = client.get(f"/map/{jurisdiction.slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt")
    points = _vector_points(response.content, tile)
    assert len(points) == 1
    lon, lat, properties = points[0]
    # Within a few tile pixels of the grid point (the tile's own precision), tens of metres from the door.
    pixel = 360 / 2**z / 4096 * 3
    assert abs(lon - grid.x) <= pixel and abs(lat - grid.y) <= pixel
    assert abs(lon - EXACT_LON) > 0.0005 or abs(lat - EXACT_LAT) > 0.0003
    assert not set(properties) & {"email", "phone", "name", "address", "tracking_token", "description"}
    assert "Quiet Lane" not in response.content.decode("latin-1")
