from datetime import UTC, datetime

import pytest

from tests.factories import JurisdictionFactory, ServiceTypeFactory
from tests.open311.conftest import assert_matches_schema, errors_of, parse_json, parse_xml

pytestmark = pytest.mark.django_db


def test_the_service_list_in_json_matches_the_community_schema(client, streetlight, pothole):
    services = parse_json(client.get("/open311/v2/services.json"))
    assert_matches_schema(services, "services.json")
    light = next(s for s in services if s["service_code"] == "streetlight")
    assert light == {
        "service_code": "streetlight",
        "service_name": "Streetlight out",
        "description": "A kind of problem",
        "metadata": True,
        "type": "realtime",
        "keywords": "light,night",
        "group": "Streets",
        "groups": ["Streets"],
    }
    assert next(s for s in services if s["service_code"] == "pothole")["metadata"] is False


def test_the_service_list_in_xml_has_one_service_element_per_type(client, streetlight, pothole):
    root = parse_xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    codes = {service.findtext("service_code"): service for service in root.findall("service")}
    assert set(codes) == {"streetlight", "pothole"}
    assert codes["streetlight"].findtext("metadata") == "true"
    assert codes["pothole"].findtext("metadata") == "false"
    assert codes["streetlight"].findtext("type") == "realtime"
    assert [g.text for g in codes["streetlight"].find("groups").findall("group")] == ["Streets"]


def test_inactive_service_types_are_not_listed(client, jurisdiction):
    ServiceTypeFactory(jurisdiction=jurisdiction, code="old", active=False)
    assert parse_json(client.get("/open311/v2/services.json")) == []


def test_the_service_definition_is_an_object_with_typed_attributes(client, streetlight):
    definition = parse_json(client.get("/open311/v2/services/streetlight.json"))
    assert_matches_schema(definition, "service-definition.json")
    assert definition["service_code"] == "streetlight"
    pole, colours, hazard = definition["attributes"]
    assert (pole["code"], pole["required"], pole["variable"], pole["order"]) == ("pole", True, True, 1)
    assert "values" not in pole
    assert colours["datatype"] == "multivaluelist"
    assert [v["key"] for v in colours["values"]] == ["red", "amber", "green"]
    assert hazard["values"][0] == {"key": "yes", "name": "Yes"}


def test_the_service_definition_in_xml_nests_attributes_and_values(client, streetlight):
    root = parse_xml(client.get("/open311/v2/services/streetlight.xml"))
    assert root.tag == "service_definition"
    attributes = root.find("attributes").findall("attribute")
    assert [a.findtext("code") for a in attributes] == ["pole", "colours", "hazard"]
    assert attributes[0].findtext("required") == "true"
    assert [v.findtext("key") for v in attributes[1].find("values").findall("value")] == ["red", "amber", "green"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_a_404_in_the_open311_error_format(client, jurisdiction, fmt):
    response = client.get(f"/open311/v2/services/nope.{fmt}")
    assert response.status_code == 404
    [error] = errors_of(response)
    assert error["code"] == 404 and "nope" in error["description"]


def test_discovery_lists_the_endpoint_with_both_formats_and_a_past_changeset(client):
    discovery = parse_json(client.get("/open311/v2/discovery.json"))
    changeset = datetime.fromisoformat(discovery["changeset"].replace("Z", "+00:00"))
    assert changeset < datetime.now(UTC)
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_in_xml_wraps_formats_in_format_elements(client):
    root = parse_xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints").find("endpoint")
    assert [f.text for f in endpoint.find("formats").findall("format")] == ["text/xml", "application/json"]


def test_one_jurisdiction_answers_with_or_without_its_id(client, pothole):
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=sf.example").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=").status_code == 200  # empty is absent


def test_several_jurisdictions_need_an_id_and_know_only_their_own(client, pothole):
    other = JurisdictionFactory(slug="other.example")
    ServiceTypeFactory(jurisdiction=other, code="graffiti")
    missing = client.get("/open311/v2/services.xml")
    assert missing.status_code == 400 and "jurisdiction_id" in errors_of(missing)[0]["description"]
    assert client.get("/open311/v2/services.json?jurisdiction_id=nowhere.example").status_code == 404
    other_services = parse_json(client.get("/open311/v2/services.json?jurisdiction_id=other.example"))
    codes = [s["service_code"] for s in other_services]
    assert codes == ["graffiti"]
    assert client.get("/open311/v2/services/pothole.json?jurisdiction_id=other.example").status_code == 404


def test_a_jurisdiction_given_a_new_id_answers_to_it_at_once_and_no_longer_to_the_old(client, jurisdiction, pothole):
    assert client.get("/open311/v2/services.json?jurisdiction_id=sf.example").status_code == 200  # now kept
    jurisdiction.slug = "sanfrancisco.example"
    jurisdiction.save()
    old = client.get("/open311/v2/services.xml?jurisdiction_id=sf.example")
    assert old.status_code == 404 and "sf.example" in errors_of(old)[0]["description"]
    assert client.get("/open311/v2/services.json?jurisdiction_id=sanfrancisco.example").status_code == 200


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_get_an_open311_error(client, pothole, method):
    response = getattr(client, method)("/open311/v2/services.xml")
    assert response.status_code == 405 and errors_of(response)[0]["code"] == 405


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("services.csv", "application/json; charset=utf-8"),
        ("nothing/here.xml", "text/xml; charset=utf-8"),
        ("requests", "application/json; charset=utf-8"),
    ],
)
def test_an_unknown_path_under_the_api_is_an_open311_404(client, pothole, path, content_type):
    response = client.post(f"/open311/v2/{path}")
    assert response.status_code == 404 and response["Content-Type"] == content_type
    assert errors_of(response)[0]["code"] == 404


def test_calls_without_an_id_get_the_configured_default_jurisdiction_among_several(client, pothole, settings):
    other = JurisdictionFactory(slug="other.example")
    ServiceTypeFactory(jurisdiction=other, code="graffiti")
    settings.CIVIC311_DEFAULT_JURISDICTION = "other.example"
    codes = [s["service_code"] for s in parse_json(client.get("/open311/v2/services.json"))]
    assert codes == ["graffiti"]
    named = parse_json(client.get("/open311/v2/services.json?jurisdiction_id=sf.example"))
    assert [s["service_code"] for s in named] == ["pothole"]  # a given id still wins
