"""An independent Open311 client from PyPI (georeport) against a live Civic311 server, in both formats."""

import pytest
import requests
from georeport import GeoReport

from requests_app.models import ServiceRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def base_url(live_server, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return f"{live_server.url}/open311/v2"


def test_georeport_lists_services_and_reads_a_definition_in_json(base_url, streetlight, pothole):
    client = GeoReport(base_url, jurisdiction="sf.example")
    assert {s["service_code"] for s in client.get_service_list()} == {"streetlight", "pothole"}
    definition = client.get_service_definition("streetlight")
    assert [a["code"] for a in definition["attributes"]] == ["pole", "colours", "hazard"]


def test_georeport_reads_the_same_in_xml(base_url, streetlight, pothole):
    client = GeoReport(base_url, jurisdiction="sf.example", output_format="xml")
    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"streetlight", "pothole"}
    assert {s["metadata"] for s in services} == {"true", "false"}
    definition = client.get_service_definition("streetlight")
    assert definition["attributes"]["attribute"][1]["values"]["value"][0]["key"] == "red"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_filed_over_http_is_found_by_georeport(base_url, streetlight, api_key, fmt):
    filed = requests.post(
        f"{base_url}/requests.json",
        data={
            "api_key": api_key,
            "jurisdiction_id": "sf.example",
            "service_code": "streetlight",
            "lat": "37.77",
            "long": "-122.41",
            "attribute[pole]": "P-9",
            "attribute[colours][]": ["red", "amber"],
            "description": "Flickering",
        },
        timeout=10,
    )
    assert filed.status_code == 200, filed.text
    request_id = filed.json()[0]["service_request_id"]
    client = GeoReport(base_url, jurisdiction="sf.example", output_format=fmt)
    one = client.get_service_request(request_id)
    assert (one["service_request_id"], one["status"], one["service_code"]) == (request_id, "open", "streetlight")
    listed = client.get_service_requests(service_request_id=request_id)
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives a lone element as a dict
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert ServiceRequest.objects.get(public_id=request_id).answers["colours"] == ["red", "amber"]


def test_georeport_sees_a_clear_http_error_for_an_unknown_request(base_url, pothole):
    client = GeoReport(base_url, jurisdiction="sf.example")
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_request("NOPE-NOPE")
    assert error.value.response.status_code == 404
    assert error.value.response.json()[0]["code"] == 404
