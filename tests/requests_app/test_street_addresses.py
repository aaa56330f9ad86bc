"""Addresses from the city's own street centrelines: import, search in both scripts, and the address at a point."""

import io
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from frontend.public.tiles import tile_for
from requests_app.geocoding import addresses_matching, nearest_address
from requests_app.models import StreetSegment

pytestmark = pytest.mark.django_db

CENTRELINES = Path(__file__).parent / "data" / "centrelines.geojson"


@pytest.fixture
def streets(jurisdiction):
    out = io.StringIO()
    call_command("import_streets", str(CENTRELINES), jurisdiction=jurisdiction.slug, name_zh="name_zh", stdout=out)
    assert "4 street segments loaded for sf.example; 1 features skipped." in out.getvalue()
    return jurisdiction


def test_a_numbered_address_is_placed_along_its_block(streets):
    [found] = addresses_matching(jurisdiction=streets, query="2050 Mission")
    assert found["label"] == "2050 MISSION ST" and found["kind"] == "street"
    assert found["lon"] == pytest.approx(-122.4194, abs=2e-4) and found["lat"] == pytest.approx(37.7639, abs=2e-4)


@pytest.mark.parametrize(
    "query, label",
    [
        ("Valencia", "VALENCIA ST"),
        ("valencia st", "VALENCIA ST"),
        ("Misson", "MISSION ST"),
        ("深南大道", "SHENNAN BLVD"),
    ],
)
def test_streets_are_found_by_a_part_a_typo_or_their_chinese_name(streets, query, label):
    assert [p["label"] for p in addresses_matching(jurisdiction=streets, query=query)][:1] == [label]


def test_a_street_name_in_chinese_shows_in_chinese(streets, settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert addresses_matching(jurisdiction=streets, query="深南")[0]["label"] == "深南大道"


def test_a_number_outside_every_block_finds_nothing(streets):
    assert addresses_matching(jurisdiction=streets, query="9000 Mission") == []


def test_a_point_is_named_by_the_nearest_address_on_its_side_of_the_street(streets):
    east_side = nearest_address(jurisdiction=streets, point=Point(-122.41925, 37.76390, srid=4326))
    west_side = nearest_address(jurisdiction=streets, point=Point(-122.41955, 37.76390, srid=4326))
    assert east_side == "2050 MISSION ST"  # the even side, halfway along 2000-2098
    number, street = west_side.split(" ", 1)
    assert street == "MISSION ST" and int(number) % 2 == 1 and abs(int(number) - 2050) <= 3
    assert nearest_address(jurisdiction=streets, point=Point(-122.30, 37.70, srid=4326)) == ""


def test_the_place_search_and_the_picked_point_answer_from_the_streets(client, streets):
    places = client.get("/sf.example/places/", {"q": "2000 Mission"}).json()["places"]
    assert places[0]["label"] == "2000 MISSION ST"
    at = client.get("/sf.example/places/at/", {"lat": "37.7639", "lon": "-122.41925"}).json()
    assert at == {"address": "2050 MISSION ST"}
    assert client.get("/sf.example/places/at/", {"lat": "x", "lon": "1"}).status_code == 400


def test_a_rerun_replaces_the_streets_and_a_bad_file_changes_nothing(streets, tmp_path):
    call_command("import_streets", str(CENTRELINES), jurisdiction=streets.slug, stdout=io.StringIO())
    assert StreetSegment.objects.count() == 4
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_streets", str(broken), jurisdiction=streets.slug, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_streets", str(CENTRELINES), jurisdiction=streets.slug, name="nope", stdout=io.StringIO())
    assert StreetSegment.objects.count() == 4


def _street_tile(client, lon, lat, z, **headers):
    tile = tile_for(lon, lat, z)
    return client.get(f"/sf.example/streets/{tile.z}/{tile.x}/{tile.y}.json", **headers)


def test_without_tiles_the_maps_get_the_imported_streets_tile_by_tile(client, streets):
    response = _street_tile(client, -122.4194, 37.7648, 16)
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    features = {f["properties"]["name"]: f["geometry"] for f in response.json()["features"]}
    # Mission's two blocks come as one line; Valencia is three tiles west and Shennan Boulevard in another city.
    assert set(features) == {"MISSION ST"}
    assert features["MISSION ST"]["type"] == "LineString"
    assert features["MISSION ST"]["coordinates"][0] == [-122.4195, 37.763]


def test_street_names_come_in_the_visitors_language(client, streets):
    names = [
        f["properties"]["name"]
        for f in _street_tile(client, 114.055, 22.54, 16, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["features"]
    ]
    assert names == ["深南大道"]


def test_a_street_tile_is_kept_until_the_streets_are_imported_again(client, streets, django_assert_num_queries):
    first = _street_tile(client, -122.4194, 37.7648, 16)
    # The streets' version; the jurisdiction is kept per process (config_cache) and the lines come from Redis.
    with django_assert_num_queries(1):
        assert _street_tile(client, -122.4194, 37.7648, 16).content == first.content
    StreetSegment.objects.filter(name="MISSION ST").delete()
    assert _street_tile(client, -122.4194, 37.7648, 16).json()["features"] == []


def test_a_city_wide_view_gets_no_streets_and_a_tile_that_cannot_exist_is_refused(client, streets):
    assert _street_tile(client, -122.4194, 37.7648, 11).json()["features"] == []
    assert client.get("/sf.example/streets/2/9/0.json").status_code == 400
