import csv
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.http import StreamingHttpResponse

from frontend.public.selectors import EXPORT_FIELDS
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_the_csv_export_streams_every_public_column(client, jurisdiction, pothole_requests, django_assert_num_queries):
    # The jurisdiction; the rows come by one COPY, which Django's query log doesn't see.
    with django_assert_num_queries(1):
        response = client.get(f"/open-data/{jurisdiction.slug}/requests.csv")
        rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert response["Content-Type"].startswith("text/csv")
    assert list(rows[0]) == EXPORT_FIELDS and len(rows) == 6
    first = next(r for r in rows if r["public_id"] == pothole_requests[5].public_id)
    assert first["service_code"] == "pothole" and first["department"] == "public-works"
    assert first["location_coarsened"] == "false" and float(first["longitude"]) == pytest.approx(-122.415)


def _csv(client, url) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_text(client.get(url)), newline="")))


def test_the_exports_take_the_map_filters(client, jurisdiction, pothole_requests):
    rows = _csv(client, f"/open-data/{jurisdiction.slug}/requests.csv?status=open")
    assert {r["status"] for r in rows} == {Status.SUBMITTED} and len(rows) == 3


def test_the_csv_export_has_the_same_cells_as_the_geojson_export(
    client, jurisdiction, pothole_requests, sensitive_request, mission
):
    # Two writers of one export: PostgreSQL's COPY for the CSV, Python for the GeoJSON.
    ServiceRequestFactory(service_type=pothole_requests[0].service_type, address="", description="")
    for query in ("", "?status=open", f"?area={mission.pk}", "?service_type=pothole&since=2020-01-01"):
        rows = _csv(client, f"/open-data/{jurisdiction.slug}/requests.csv{query}")
        features = json.loads(_text(client.get(f"/open-data/{jurisdiction.slug}/requests.geojson{query}")))["features"]
        assert len(rows) == len(features) > 0, query
        by_id = {f["id"]: f for f in features}
        for row in rows:
            feature = by_id[row["public_id"]]
            expected = {
                k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in feature["properties"].items()
            }
            lon, lat = feature["geometry"]["coordinates"]
            assert {k: v for k, v in row.items() if k not in ("longitude", "latitude")} == expected
            assert (float(row["longitude"]), float(row["latitude"])) == (lon, lat)


def test_a_bad_filter_gets_a_json_error_not_a_file(client, jurisdiction):
    response = client.get(f"/open-data/{jurisdiction.slug}/requests.geojson?since=yesterday")
    assert response.status_code == 400 and "since" in response.json()["errors"]


def test_the_geojson_export_is_one_valid_feature_collection(client, jurisdiction, pothole_requests, sensitive_request):
    data = json.loads(_text(client.get(f"/open-data/{jurisdiction.slug}/requests.geojson")))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 7
    noise = next(f for f in data["features"] if f["id"] == sensitive_request.public_id)
    assert noise["properties"]["location_coarsened"] is True and noise["properties"]["address"] == ""
    assert noise["geometry"]["type"] == "Point"


def test_descriptions_are_masked_in_exports(client, jurisdiction, pothole):
    ServiceRequestFactory(service_type=pothole, description="Deep hole, email me at ana@example.org")
    text = _text(client.get(f"/open-data/{jurisdiction.slug}/requests.csv"))
    assert "ana@example.org" not in text and "Deep hole, email me at [removed]" in text


def test_the_data_dictionary_describes_every_export_column(client, jurisdiction, pothole, mission):
    html = client.get(f"/open-data/{jurisdiction.slug}/").content.decode()
    assert all(f"<code>{name}</code>" in html for name in EXPORT_FIELDS)
    assert f"/feeds/{jurisdiction.slug}/areas/{mission.pk}/rss/" in html
    assert f"/feeds/{jurisdiction.slug}/types/pothole/atom/" in html


def test_the_area_feed_lists_only_requests_in_that_area(
    client, jurisdiction, pothole_requests, mission, presidio, pothole
):
    outside = ServiceRequestFactory(service_type=pothole, location=Point(-122.39, 37.80, srid=4326))
    rss = client.get(f"/feeds/{jurisdiction.slug}/areas/{mission.pk}/rss/").content.decode()
    assert rss.count("<item>") == 6 and outside.public_id not in rss
    assert f"/requests/{pothole_requests[0].public_id}/" in rss
    assert "<item>" not in client.get(f"/feeds/{jurisdiction.slug}/areas/{presidio.pk}/rss/").content.decode()


def test_the_service_type_feed_comes_in_atom_too(client, jurisdiction, pothole_requests, django_assert_num_queries):
    with django_assert_num_queries(3):  # jurisdiction, service type, items with their type and department
        response = client.get(f"/feeds/{jurisdiction.slug}/types/pothole/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response.content.decode().count("<entry>") == 6


def test_feeds_of_unknown_areas_or_types_are_not_found(client, jurisdiction):
    assert client.get(f"/feeds/{jurisdiction.slug}/types/nothing/rss/").status_code == 404
    assert client.get(f"/feeds/{jurisdiction.slug}/areas/999999/atom/").status_code == 404
