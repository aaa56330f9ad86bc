import re
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from requests_app.models import Photo, ServiceRequest
from requests_app.public_location import coarsen
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import DepartmentFactory, ServiceRequestFactory, ServiceTypeFactory
from tests.open311.conftest import assert_matches_schema, errors_of, parse_json, parse_xml

pytestmark = pytest.mark.django_db
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def ids(response) -> list[str]:
    return [r["service_request_id"] for r in parse_json(response)]


def aged(days: float, **kwargs) -> ServiceRequest:
    when = timezone.now() - timedelta(days=days)
    return ServiceRequestFactory(submitted_at=when, updated_at=when, **kwargs)


def test_a_request_has_every_field_with_strings_ids_and_w3c_datetimes(client, pothole, department):
    sr = aged(1, service_type=pothole, department=department, zipcode="94102", description="Deep one")
    change_status(sr, to=Status.ACKNOWLEDGED, public_note="We will look")
    records = parse_json(client.get("/open311/v2/requests.json"))
    assert_matches_schema(records, "requests.json")
    [record] = records
    assert record["service_request_id"] == sr.public_id and record["status"] == "open"
    assert record["status_notes"] == "We will look" and record["agency_responsible"] == "Public Works"
    assert (record["service_code"], record["service_name"], record["zipcode"]) == ("pothole", "Pothole", "94102")
    assert (record["lat"], record["long"]) == (37.7749, -122.4194)
    assert W3C.match(record["requested_datetime"]) and W3C.match(record["updated_datetime"])
    assert record["address"] == "1 Dr Carlton B Goodlett Pl"


def test_the_xml_list_has_one_request_element_each_and_an_empty_list_is_empty(client, pothole):
    assert len(parse_xml(client.get("/open311/v2/requests.xml"))) == 0
    assert parse_json(client.get("/open311/v2/requests.json")) == []
    sr = aged(1, service_type=pothole)
    root = parse_xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [sr.public_id]
    assert root.find("request").findtext("status") == "open"


def test_closed_statuses_are_closed_on_the_wire(client, pothole):
    sr = aged(1, service_type=pothole, status=Status.DUPLICATE)
    assert parse_json(client.get(f"/open311/v2/requests/{sr.public_id}.json"))[0]["status"] == "closed"


def test_without_dates_only_the_last_90_days_are_listed(client, pothole):
    recent, _old = aged(89, service_type=pothole), aged(91, service_type=pothole)
    assert ids(client.get("/open311/v2/requests.json")) == [recent.public_id]


def test_a_date_window_filters_on_requested_datetime_and_may_span_90_days_at_most(client, pothole):
    inside, _outside = aged(200, service_type=pothole), aged(100, service_type=pothole)
    start = (timezone.now() - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    end = (timezone.now() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # A "+" decoded to a space by a sloppy client still reads as an offset.
    assert ids(client.get("/open311/v2/requests.json", {"start_date": start.replace("+", " "), "end_date": end})) == [
        inside.public_id
    ]
    wide = client.get(
        "/open311/v2/requests.xml", {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}
    )
    assert wide.status_code == 400 and "90" in errors_of(wide)[0]["description"]
    reversed_ = client.get("/open311/v2/requests.json", {"start_date": end, "end_date": start})
    assert reversed_.status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "last tuesday"}).status_code == 400


def test_at_most_1000_requests_come_back_and_pages_walk_through_them(client, pothole):
    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            jurisdiction=pothole.jurisdiction,
            service_type=pothole,
            public_id=f"T{i:07d}",
            tracking_token=f"t{i}",
            location=Point(-122.4, 37.7, srid=4326),
            submitted_at=now - timedelta(minutes=i),
            updated_at=now,
        )
        for i in range(1005)
    )
    assert len(ids(client.get("/open311/v2/requests.json"))) == 1000
    page_two = ids(client.get("/open311/v2/requests.json", {"page": 2, "page_size": 500}))
    assert page_two[0] == "T0000500" and len(page_two) == 500
    assert ids(client.get("/open311/v2/requests.json", {"page": 3, "page_size": 500})) == [
        "T0001000",
        "T0001001",
        "T0001002",
        "T0001003",
        "T0001004",
    ]
    assert client.get("/open311/v2/requests.json", {"page_size": 1001}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"page": 0}).status_code == 400


def test_service_request_id_overrides_every_other_filter(client, pothole):
    old, closed = aged(400, service_type=pothole), aged(1, service_type=pothole, status=Status.CLOSED)
    response = client.get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{old.public_id},{closed.public_id}", "status": "open", "service_code": "other"},
    )
    assert sorted(ids(response)) == sorted([old.public_id, closed.public_id])


def test_service_code_and_status_filter_as_comma_lists_or_repeated(client, jurisdiction, pothole):
    graffiti = ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti")
    litter = ServiceTypeFactory(jurisdiction=jurisdiction, code="litter")
    a, b = aged(1, service_type=pothole), aged(2, service_type=graffiti, status=Status.RESOLVED)
    aged(3, service_type=litter)
    assert ids(client.get("/open311/v2/requests.json?service_code=pothole,graffiti")) == [a.public_id, b.public_id]
    assert ids(client.get("/open311/v2/requests.json?service_code=pothole&service_code=graffiti")) == [
        a.public_id,
        b.public_id,
    ]
    assert ids(client.get("/open311/v2/requests.json?service_code=graffiti,pothole&status=closed")) == [b.public_id]
    assert len(ids(client.get("/open311/v2/requests.json?status=open&status=closed"))) == 3
    bad = client.get("/open311/v2/requests.xml?status=pending")
    assert bad.status_code == 400 and "pending" in errors_of(bad)[0]["description"]


def test_updated_after_and_before_sync_by_update_time(client, pothole):
    stale, fresh = aged(200, service_type=pothole), aged(200, service_type=pothole)
    change_status(fresh, to=Status.ACKNOWLEDGED)
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get("/open311/v2/requests.json", {"updated_after": since})) == [fresh.public_id]
    assert ids(client.get("/open311/v2/requests.json", {"updated_before": since})) == [stale.public_id]


def test_extensions_add_history_attributes_channel_department_and_media(client, pothole, department):
    sr = aged(1, service_type=pothole, department=department, answers={"depth": "call 415 555 0199"})
    Photo.objects.create(service_request=sr, external_url="https://img.example/p.jpg")
    change_status(sr, to=Status.ACKNOWLEDGED, public_note="Seen", internal_note="crew 7")
    plain = parse_json(client.get("/open311/v2/requests.json"))[0]
    assert "notes" not in plain and "extended_attributes" not in plain
    [record] = parse_json(client.get("/open311/v2/requests.json?extensions=true"))
    assert record["extended_attributes"] == {
        "channel": "web",
        "detailed_status": "investigating",
        "department": department.code,
        "media_urls": ["https://img.example/p.jpg"],
    }
    assert record["attributes"] == [{"code": "depth", "value": "call [removed]"}]
    assert [(n["summary"], n["description"]) for n in record["notes"]] == [("Acknowledged", "Seen")]
    assert "crew 7" not in str(record)
    root = parse_xml(client.get("/open311/v2/requests.xml?extensions=true"))
    notes = root.find("request").find("notes").findall("note")
    assert [n.findtext("summary") for n in notes] == ["Acknowledged"]


def test_sensitive_types_are_coarsened_and_free_text_is_masked(client, jurisdiction):
    noise = ServiceTypeFactory(jurisdiction=jurisdiction, code="noise", sensitive=True)
    exact = Point(-122.41234, 37.77654, srid=4326)
    sr = aged(1, service_type=noise, location=exact, description="Mail me at neighbour@example.org")
    change_status(sr, to=Status.ACKNOWLEDGED, public_note="Called +1 (415) 555-0123")
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests/{sr.public_id}.{fmt}").content.decode()
        assert "neighbour@example.org" not in body and "555-0123" not in body and "[removed]" in body
    [record] = parse_json(client.get(f"/open311/v2/requests/{sr.public_id}.json"))
    public = coarsen(exact)
    assert (record["lat"], record["long"]) == (round(public.y, 6), round(public.x, 6))
    assert (record["lat"], record["long"]) != (exact.y, exact.x)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_is_still_a_list_and_an_unknown_id_is_a_404(client, pothole, fmt):
    sr = aged(1, service_type=pothole)
    response = client.get(f"/open311/v2/requests/{sr.public_id}.{fmt}")
    if fmt == "json":
        assert [r["service_request_id"] for r in parse_json(response)] == [sr.public_id]
    else:
        assert parse_xml(response).find("request").findtext("service_request_id") == sr.public_id
    assert client.get(f"/open311/v2/requests/NOPE.{fmt}").status_code == 404


@pytest.mark.parametrize("n", [5, 40])
def test_a_page_of_requests_costs_a_fixed_number_of_queries(client, pothole, django_assert_num_queries, n):
    listed = []
    for days in range(n):
        sr = aged(days / 10 + 0.5, service_type=pothole)
        listed.append(sr)
        Photo.objects.create(service_request=sr, external_url="https://img.example/x.jpg")
        change_status(sr, to=Status.ACKNOWLEDGED, public_note="On our list")
    # jurisdiction, requests (with their notes and photos), service types, departments: whatever the page holds
    for fmt in ("json", "xml"):
        with django_assert_num_queries(4):
            response = client.get(f"/open311/v2/requests.{fmt}?extensions=true")
            assert response.status_code == 200 and response.content.count(b"On our list") >= n
    # A keyset page adds only the check that its anchor exists.
    with django_assert_num_queries(5):
        assert len(parse_json(client.get(f"/open311/v2/requests.json?after={listed[0].public_id}"))) == n - 1


def _walk(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        pages.append(ids(response))
        link = response.get("Link", "")
        url = link[link.index("<") + 1 : link.index(">")].replace("http://testserver", "") if link else ""
    return pages


def test_the_link_header_walks_the_list_by_keyset_in_the_same_order_as_pages(client, pothole):
    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            jurisdiction=pothole.jurisdiction,
            service_type=pothole,
            public_id=f"K{i:07d}",
            tracking_token=f"k{i}",
            # Pairs share a submission time: the id breaks the tie, as the keyset does.
            submitted_at=now - timedelta(minutes=i // 2),
            updated_at=now,
        )
        for i in range(25)
    )
    by_page = [ids(client.get("/open311/v2/requests.json", {"page": p, "page_size": 10})) for p in (1, 2, 3)]
    walked = _walk(client, "/open311/v2/requests.json?page_size=10&status=open")
    assert walked == by_page and [len(p) for p in walked] == [10, 10, 5]
    assert ids(client.get("/open311/v2/requests.json", {"after": by_page[0][-1], "page_size": 3})) == by_page[1][:3]
    unknown = client.get("/open311/v2/requests.xml", {"after": "NOPE"})
    assert unknown.status_code == 400 and "after" in errors_of(unknown)[0]["description"]


def test_requests_of_another_jurisdiction_are_not_listed(client, pothole):
    other_type = ServiceTypeFactory(code="elsewhere")
    aged(1, service_type=other_type)
    DepartmentFactory(jurisdiction=other_type.jurisdiction)
    assert client.get("/open311/v2/requests.json").status_code == 400  # two jurisdictions now
    assert ids(client.get("/open311/v2/requests.json?jurisdiction_id=sf.example")) == []


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page_size=-1",
        "extensions=maybe",
        "start_date=2024-13-45T00:00:00Z",
        "updated_after=yesterday",
        "status=open,pending",
        "page=99999999999999999999",
        "jurisdiction_id=%00x",
        "start_date=%FF%FE",
    ],
)
def test_bad_search_parameters_get_an_open311_error_never_a_500(client, pothole, query):
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?{query}")
        assert response.status_code in (400, 404), (query, response.content)
        assert errors_of(response)[0]["code"] == response.status_code


def test_text_in_any_script_round_trips_as_utf8(client, pothole, api_key):
    created = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "pothole", "address_string": "深圳市福田区", "description": "路面有坑 ✓"},
    )
    [record] = parse_json(client.get(f"/open311/v2/requests/{parse_json(created)[0]['service_request_id']}.json"))
    assert (record["address"], record["description"]) == ("深圳市福田区", "路面有坑 ✓")
    root = parse_xml(client.get(f"/open311/v2/requests/{record['service_request_id']}.xml"))
    assert root.find("request").findtext("description") == "路面有坑 ✓"
