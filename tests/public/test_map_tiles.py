import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from frontend.public.models import MapCell
from frontend.public.selectors import POINTS_ZOOM, _in_tile, filtered_requests
from frontend.public.services import count_on_map, rebuild_map_cells
from frontend.public.tiles import Tile, tile_for
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Status
from routing.router import route_request
from tests.factories import ServiceRequestFactory

from .conftest import decoded, tile_features

pytestmark = pytest.mark.django_db

CITY_TILE = tile_for(-122.42, 37.76, 12)


def _street_tile(lon=-122.4175, lat=37.76):
    return tile_for(lon, lat, POINTS_ZOOM + 1)


def _tile_url(jurisdiction, tile, query=""):
    return f"/map/{jurisdiction.slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt{query}"


def test_the_city_zoom_groups_requests_into_clusters_that_count_them(jurisdiction, pothole_requests):
    features = tile_features(jurisdiction, {}, CITY_TILE)
    assert all(f["cluster"] for f in features)
    assert sum(f["count"] for f in features) == 6
    assert sum(f["open"] for f in features) == 3


def test_the_street_zoom_shows_each_request_with_its_status(jurisdiction, pothole_requests):
    tile = _street_tile()
    features = tile_features(jurisdiction, {}, tile)
    west, south, east, north = tile.bounds()
    inside = {sr.public_id for sr in pothole_requests if west <= sr.location.x < east}
    assert {f["public_id"] for f in features} == inside and inside
    by_id = {sr.public_id: sr for sr in pothole_requests}
    assert all(f["status"] == by_id[f["public_id"]].status for f in features)
    assert all(f["open"] == by_id[f["public_id"]].is_open for f in features)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "open"}, 3),
        ({"status": "closed"}, 3),
        ({"status": Status.SUBMITTED}, 3),
        ({"service_type": "pothole"}, 6),
        ({"service_type": "noise"}, 0),
        ({"group": "Streets"}, 6),
        ({"department": "public-works"}, 6),
        ({"department": "transport"}, 0),
    ],
)
def test_filters_narrow_the_clusters(jurisdiction, pothole_requests, noise, query, expected):
    assert sum(f["count"] for f in tile_features(jurisdiction, query, CITY_TILE)) == expected


def test_the_area_and_date_filters_narrow_the_clusters(jurisdiction, pothole_requests, mission, presidio):
    def count(filters):
        return sum(f["count"] for f in tile_features(jurisdiction, filters, CITY_TILE))

    assert count({"area": mission.pk}) == 6 and count({"area": presidio.pk}) == 0
    today = timezone.localdate(timezone=ZoneInfo(jurisdiction.timezone))
    assert count({"since": today - timedelta(days=1)}) == 2
    assert count({"until": today - timedelta(days=4)}) == 2


def test_the_tile_endpoint_answers_a_vector_tile_with_caching_headers_and_a_stable_etag(
    client, jurisdiction, pothole_requests
):
    response = client.get(_tile_url(jurisdiction, CITY_TILE, "?status=open"))
    assert response.status_code == 200 and response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert sum(f["properties"]["count"] for f in decoded(response.content)) == 3
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(_tile_url(jurisdiction, CITY_TILE, "?status=open"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_street_tile_changes_as_soon_as_a_request_is_added(client, jurisdiction, pothole_requests, pothole):
    tile = _street_tile()
    before = client.get(_tile_url(jurisdiction, tile))
    added = ServiceRequestFactory(service_type=pothole, location=Point(-122.4175, 37.76, srid=4326))
    after = client.get(_tile_url(jurisdiction, tile), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert added.public_id in {f["properties"]["public_id"] for f in decoded(after.content)}


def test_a_city_tile_changes_as_soon_as_a_request_is_filed_or_closed(
    client, jurisdiction, pothole_requests, pothole, django_capture_on_commit_callbacks
):
    def city_count(query=""):
        return sum(
            f["properties"]["count"] for f in decoded(client.get(_tile_url(jurisdiction, CITY_TILE, query)).content)
        )

    assert city_count() == 6 and city_count("?status=open") == 3
    sr = submit_request(Submission(service_type=pothole, location=Point(-122.418, 37.761, srid=4326)))
    with django_capture_on_commit_callbacks(execute=True):
        route_request(sr.pk)  # as the worker does moments after the filing
    assert city_count() == 7 and city_count("?status=open") == 4
    with django_capture_on_commit_callbacks(execute=True):
        change_status(sr, to=Status.CLOSED)
    assert city_count() == 7 and city_count("?status=open") == 3 and city_count("?status=closed") == 4


def test_counted_cells_agree_with_a_rebuild_and_with_the_requests_for_any_dates(jurisdiction, pothole, department):
    rng = random.Random(15)
    now = timezone.now()
    made = [
        ServiceRequestFactory(
            service_type=pothole,
            department=department,
            location=Point(-122.43 + rng.random() * 0.03, 37.75 + rng.random() * 0.02, srid=4326),
            status=rng.choice([Status.SUBMITTED, Status.CLOSED]),
            submitted_at=now - timedelta(days=rng.randrange(120), hours=rng.randrange(24)),
        )
        for _ in range(60)
    ]
    for sr in made[:30]:
        count_on_map([sr.pk])
    count_on_map([sr.pk for sr in made])  # again, and the rest: a second count replaces the first
    counted = sorted(MapCell.objects.filter(n__gt=0).values_list("band", "span", "cx", "cy", "period", "status", "n"))
    rebuild_map_cells(jurisdiction)
    assert sorted(MapCell.objects.values_list("band", "span", "cx", "cy", "period", "status", "n")) == counted
    today = timezone.localdate(timezone=ZoneInfo(jurisdiction.timezone))
    for _ in range(25):
        since = rng.choice([None, today - timedelta(days=rng.randrange(130))])
        until = rng.choice([None, today - timedelta(days=rng.randrange(130))])
        if since and until and since > until:
            since, until = until, since
        filters = {"since": since, "until": until}
        for z in (9, 12, 15):
            tile = tile_for(-122.42, 37.76, z)
            expected = _in_tile(filtered_requests(jurisdiction, filters), tile).count()
            assert sum(f["count"] for f in tile_features(jurisdiction, filters, tile)) == expected, (filters, z)


def test_the_map_page_draws_vector_tiles_with_maplibre_from_our_own_files(client, jurisdiction, settings):
    settings.CIVIC311_MAP_TILE_URL = ""
    html = client.get(f"/map/{jurisdiction.slug}/").content.decode()
    assert "/static/maplibre/maplibre-gl-csp.js" in html and "leaflet" not in html
    assert f"/map/{jurisdiction.slug}/tiles/{{z}}/{{x}}/{{y}}.mvt" in html
    assert f"/{jurisdiction.slug}/streets/{{z}}/{{x}}/{{y}}.mvt" in html and "maplibre-gl-csp-worker.js" in html


def test_a_tile_costs_three_queries_and_a_cached_one_two(
    client, jurisdiction, pothole_requests, django_assert_num_queries
):
    with django_assert_num_queries(3):  # jurisdiction, data version, the tile
        client.get(_tile_url(jurisdiction, _street_tile()))
    with django_assert_num_queries(2):
        client.get(_tile_url(jurisdiction, _street_tile()))


@pytest.mark.parametrize(
    "path, field",
    [
        ("/tiles/21/0/0.mvt", "tile"),
        ("/tiles/3/8/0.mvt", "tile"),
        ("/tiles/12/655/1583.mvt?status=lost", "status"),
        ("/tiles/12/655/1583.mvt?area=x", "area"),
        ("/tiles/12/655/1583.mvt?since=2024-05-02&until=2024-05-01", "__all__"),
    ],
)
def test_bad_tile_requests_get_a_json_error_naming_the_field(client, jurisdiction, path, field):
    response = client.get(f"/map/{jurisdiction.slug}{path}")
    assert response.status_code == 400 and field in response.json()["errors"]


def test_an_unknown_jurisdiction_is_not_found(client, db):
    assert client.get("/map/nowhere.example/tiles/12/655/1583.mvt").status_code == 404


def test_the_card_shows_the_public_facts_and_links_to_the_request_page(
    client, jurisdiction, pothole_requests, django_assert_num_queries
):
    sr = pothole_requests[1]
    change_status(sr, to=Status.ACKNOWLEDGED, public_note="Crew booked, ring 415-555-0100")
    with django_assert_num_queries(4):  # data version, jurisdiction, request, notes
        card = client.get(f"/map/{jurisdiction.slug}/cards/{sr.public_id}.json").json()
    assert card["service_type"] == "Pothole" and card["status"] == Status.ACKNOWLEDGED
    assert card["department"] == "Public Works" and card["url"] == f"/requests/{sr.public_id}/"
    assert card["public_notes"] == ["Crew booked, ring [removed]"]
    assert "tracking_token" not in card and sr.tracking_token not in str(card)


def test_the_card_of_another_jurisdictions_request_is_not_found(client, jurisdiction, pothole_requests):
    from tests.factories import JurisdictionFactory

    other = JurisdictionFactory(slug="elsewhere.example")
    assert client.get(f"/map/{other.slug}/cards/{pothole_requests[0].public_id}.json").status_code == 404


def test_the_map_page_lists_the_filters_and_carries_the_tile_setting(
    client, jurisdiction, pothole, mission, settings, django_assert_num_queries
):
    settings.CIVIC311_MAP_TILE_URL = ""
    with django_assert_num_queries(7):  # jurisdiction, newest request, types, layer, areas, departments, extent
        response = client.get(f"/map/{jurisdiction.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="pothole"' in html and f'value="{mission.pk}"' in html
    assert '"tileUrl": ""' in html


def test_area_outlines_are_served_as_geojson(client, jurisdiction, mission):
    data = client.get(f"/map/{jurisdiction.slug}/areas.geojson").json()
    assert [f["properties"]["name"] for f in data["features"]] == ["Mission"]
    assert data["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_tile_arithmetic_round_trips():
    tile = tile_for(-122.42, 37.76, 14)
    west, south, east, north = tile.bounds()
    assert west <= -122.42 < east and south < 37.76 <= north
    with pytest.raises(ValueError):
        Tile(2, 4, 0)


def test_the_map_list_gives_the_newest_requests_in_view_with_the_map_filters(client, jurisdiction, pothole_requests):
    url = f"/map/{jurisdiction.slug}/list.json?west=-122.43&south=37.75&east=-122.40&north=37.77"
    listed = client.get(url + "&status=open").json()
    open_ids = [
        sr.public_id for sr in sorted(pothole_requests, key=lambda sr: sr.submitted_at, reverse=True) if sr.is_open
    ]
    assert [r["public_id"] for r in listed["requests"]] == open_ids and listed["more"] is False
    first = listed["requests"][0]
    assert first["service_type"] == "Pothole" and first["status_label"] == "Submitted" and first["open"] is True
    outside = client.get(f"/map/{jurisdiction.slug}/list.json?west=0&south=0&east=1&north=1").json()
    assert outside["requests"] == []


@pytest.mark.parametrize("query", ["west=1&south=0&east=0&north=1", "west=x&south=0&east=1&north=1", "west=0"])
def test_the_map_list_answers_bad_bounds_with_a_400_naming_the_problem(client, jurisdiction, query):
    response = client.get(f"/map/{jurisdiction.slug}/list.json?{query}")
    assert response.status_code == 400 and response.json()["errors"]
