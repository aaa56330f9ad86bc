import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contacts.models import Contact
from open311.services import create_api_key, revoke_api_key
from requests_app.models import Photo, ServiceRequest
from requests_app.photos import blur_photo
from requests_app.statuses import Channel, RoutingState
from tests.factories import JurisdictionFactory, ServiceTypeFactory
from tests.open311.conftest import errors_of, parse_json, parse_xml

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.{}"
PERSONAL = ("canary-4242@example.org", "+1 415 555 0199", "Canaryfirst", "Canarylast", "device-canary")


def file_light(client, api_key, fmt="json", headers=None, **extra):
    data = {
        "api_key": api_key,
        "service_code": "streetlight",
        "lat": "37.7749",
        "long": "-122.4194",
        "attribute[pole]": "P-17",
        "description": "Dark since Tuesday",
    } | extra
    return client.post(URL.format(fmt), data, headers=headers)


def with_contact(**extra):
    return {
        "email": PERSONAL[0],
        "phone": PERSONAL[1],
        "first_name": PERSONAL[2],
        "last_name": PERSONAL[3],
        "deviceid": PERSONAL[4],
    } | extra


def photo(name="IMG_0001.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_a_realtime_request_answers_with_its_id_in_json(client, streetlight, api_key):
    [created] = parse_json(file_light(client, api_key))
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    assert (sr.service_type, sr.channel, sr.answers["pole"]) == (streetlight, Channel.OPEN311, "P-17")
    assert (round(sr.location.x, 4), round(sr.location.y, 4)) == (-122.4194, 37.7749)
    assert "token" not in created and created["service_notice"] is None


def test_a_realtime_request_answers_with_its_id_in_xml(client, streetlight, api_key):
    root = parse_xml(file_light(client, api_key, "xml"))
    assert root.tag == "service_requests"
    request_id = root.find("request").findtext("service_request_id")
    assert ServiceRequest.objects.filter(public_id=request_id).exists()


def test_the_api_key_may_come_in_the_query_string(client, streetlight, api_key):
    response = client.post(
        f"/open311/v2/requests.json?api_key={api_key}&jurisdiction_id=sf.example",
        {"service_code": "streetlight", "address_string": "1 Market St", "attribute[pole]": "9"},
    )
    assert response.status_code == 200
    assert ServiceRequest.objects.get().address == "1 Market St"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_bad_or_revoked_key_is_a_403(client, streetlight, jurisdiction, fmt):
    key, raw = create_api_key(application="Gone", jurisdiction=jurisdiction)
    revoke_api_key(key)
    for api_key in ("", "not-a-key", raw):
        response = file_light(client, api_key, fmt)
        assert response.status_code == 403
        assert errors_of(response)[0]["code"] == 403
    assert not ServiceRequest.objects.exists()


def test_with_several_jurisdictions_a_write_names_its_own(client, streetlight, api_key):
    JurisdictionFactory(slug="other.example")
    assert file_light(client, api_key).status_code == 400
    assert file_light(client, api_key, jurisdiction_id="nowhere.example").status_code == 404
    assert file_light(client, api_key, jurisdiction_id="other.example").status_code == 403  # not this key's
    assert file_light(client, api_key, jurisdiction_id="sf.example").status_code == 200


def test_a_missing_service_code_is_a_400_and_an_unknown_one_a_404(client, streetlight, api_key):
    missing = client.post(URL.format("xml"), {"api_key": api_key, "lat": "37.7", "long": "-122.4"})
    assert missing.status_code == 400 and errors_of(missing)[0]["description"] == "service_code required"
    unknown = client.post(URL.format("json"), {"api_key": api_key, "service_code": "nope", "lat": "1", "long": "1"})
    assert unknown.status_code == 404


def test_a_missing_required_attribute_names_its_code(client, streetlight, api_key):
    response = file_light(client, api_key, "xml", **{"attribute[pole]": ""})
    assert response.status_code == 400
    assert [e["description"] for e in errors_of(response)] == ["pole required"]


def test_a_location_is_required(client, streetlight, api_key):
    response = client.post(
        URL.format("json"), {"api_key": api_key, "service_code": "streetlight", "attribute[pole]": "1"}
    )
    assert response.status_code == 400
    assert errors_of(response)[0]["description"].startswith("lat/long:")


def test_multivaluelist_answers_come_as_repeated_bracket_parameters(client, streetlight, api_key):
    [created] = parse_json(
        file_light(client, api_key, **{"attribute[colours][]": ["red", "green"], "attribute[hazard]": "yes"})
    )
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    assert sr.answers["colours"] == ["red", "green"] and sr.answers["hazard"] == "yes"


def test_an_answer_outside_the_list_is_refused(client, streetlight, api_key):
    response = file_light(client, api_key, **{"attribute[colours][]": ["red", "purple"]})
    assert response.status_code == 400
    assert errors_of(response)[0]["description"].startswith("colours: purple")


def test_uploaded_photos_are_stored_and_served_back_through_media_url(client, streetlight, api_key, photo_folders):
    [created] = parse_json(file_light(client, api_key, media=photo(), photo2=photo("IMG_0002.jpg")))
    sr = ServiceRequest.objects.get(public_id=created["service_request_id"])
    assert sr.photos.count() == 2
    [listed] = parse_json(client.get(f"/open311/v2/requests/{sr.public_id}.json"))
    assert listed["media_url"] is None  # not before the copy with faces and plates blurred exists
    for pk in sr.photos.values_list("pk", flat=True):
        blur_photo(pk)
    [listed] = parse_json(client.get(f"/open311/v2/requests/{sr.public_id}.json"))
    assert "IMG_0001" not in listed["media_url"]
    served = client.get(listed["media_url"].removeprefix("http://testserver"))
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "JPEG"


def test_a_file_that_is_not_a_photo_is_a_400(client, streetlight, api_key):
    response = file_light(client, api_key, media=SimpleUploadedFile("x.jpg", b"not an image"))
    assert response.status_code == 400 and errors_of(response)[0]["description"].startswith("media:")
    assert not ServiceRequest.objects.exists()


def test_media_urls_sent_by_the_client_are_kept_as_links(client, streetlight, api_key):
    parse_json(file_light(client, api_key, media_url=["https://img.example/a.jpg", "https://img.example/b.jpg"]))
    assert sorted(Photo.objects.values_list("external_url", flat=True)) == [
        "https://img.example/a.jpg",
        "https://img.example/b.jpg",
    ]


def test_contact_details_are_kept_when_the_client_asks_for_alerts(client, streetlight, api_key):
    [created] = parse_json(file_light(client, api_key, **with_contact(email_alerts_requested="true")))
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.device_id) == (PERSONAL[0], PERSONAL[2], PERSONAL[4])
    assert created["service_notice"] is None


def test_contact_purposes_is_the_civic311_way_to_ask(client, streetlight, api_key):
    parse_json(file_light(client, api_key, **with_contact(contact_purposes="status_updates,department_questions")))
    assert Contact.objects.count() == 1
    bad = file_light(client, api_key, **with_contact(contact_purposes="marketing"))
    assert bad.status_code == 400 and "marketing" in errors_of(bad)[0]["description"]
    permit_only = file_light(client, api_key, **with_contact(contact_purposes="permit_decision"))
    assert permit_only.status_code == 400 and "permit_decision" in errors_of(permit_only)[0]["description"]


def test_contact_details_without_an_ask_are_not_kept_and_the_notice_says_so(client, streetlight, api_key):
    [created] = parse_json(file_light(client, api_key, **with_contact()))
    assert not Contact.objects.exists()
    assert "not kept" in created["service_notice"]


def test_no_answer_ever_carries_contact_details(client, streetlight, api_key):
    bodies = [
        file_light(client, api_key, fmt, **with_contact(email_alerts_requested="true")).content
        for fmt in ("json", "xml")
    ]
    bodies += [client.get(f"/open311/v2/requests.{fmt}?extensions=true").content for fmt in ("json", "xml")]
    for body in bodies:
        text = body.decode("utf-8")
        assert not any(value in text for value in PERSONAL), text
        assert not any(
            f'"{name}"' in text or f"<{name}>" in text
            for name in ("email", "phone", "first_name", "last_name", "device_id")
        )


def test_a_batch_type_answers_with_a_token_that_resolves_once_routed(client, bulky, api_key):
    [created] = parse_json(
        client.post(URL.format("json"), {"api_key": api_key, "service_code": "bulky", "address_string": "5 Elm St"})
    )
    assert "service_request_id" not in created
    token = created["token"]
    assert parse_json(client.get(f"/open311/v2/tokens/{token}.json")) == [{"token": token}]
    sr = ServiceRequest.objects.get()
    ServiceRequest.objects.filter(pk=sr.pk).update(routing_state=RoutingState.ROUTED)  # as the routing engine does
    root = parse_xml(client.get(f"/open311/v2/tokens/{token}.xml"))
    request = root.find("request")
    assert (request.findtext("service_request_id"), request.findtext("token")) == (sr.public_id, token)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_a_404(client, jurisdiction, fmt):
    assert client.get(f"/open311/v2/tokens/nope.{fmt}").status_code == 404


def test_a_blackbox_type_answers_with_neither_id_nor_token(client, jurisdiction, api_key):
    ServiceTypeFactory(jurisdiction=jurisdiction, code="tip", delivery="blackbox")
    [created] = parse_json(
        client.post(URL.format("json"), {"api_key": api_key, "service_code": "tip", "address_string": "somewhere"})
    )
    assert set(created) == {"service_notice"}
    assert ServiceRequest.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_result(client, streetlight, api_key):
    retry = {"Idempotency-Key": "retry-1"}
    [first] = parse_json(file_light(client, api_key, headers=retry))
    again = parse_xml(file_light(client, api_key, "xml", headers=retry))
    assert again.find("request").findtext("service_request_id") == first["service_request_id"]
    assert ServiceRequest.objects.count() == 1
    [other] = parse_json(file_light(client, api_key, headers={"Idempotency-Key": "retry-2"}))
    assert other["service_request_id"] != first["service_request_id"]
    assert ServiceRequest.objects.count() == 2


def test_an_idempotency_key_reused_for_another_request_is_refused(client, streetlight, api_key):
    parse_json(file_light(client, api_key, headers={"Idempotency-Key": "k"}))
    response = file_light(client, api_key, headers={"Idempotency-Key": "k"}, description="Something else")
    assert response.status_code == 400 and "Idempotency-Key" in errors_of(response)[0]["description"]


def test_a_failed_write_is_not_remembered_so_a_fixed_retry_goes_through(client, streetlight, api_key):
    assert file_light(client, api_key, headers={"Idempotency-Key": "k"}, **{"attribute[pole]": ""}).status_code == 400
    assert file_light(client, api_key, headers={"Idempotency-Key": "k"}).status_code == 200


def test_writes_beyond_the_keys_rate_are_refused_with_429(client, streetlight, jurisdiction):
    _key, raw = create_api_key(application="Busy", jurisdiction=jurisdiction, writes_per_minute=2)
    # Five writes in a second: even if a minute boundary falls between them, one is over the limit.
    responses = [file_light(client, raw) for _ in range(5)]
    statuses = [r.status_code for r in responses]
    assert statuses[:2] == [200, 200] and 429 in statuses
    refused = responses[statuses.index(429)]
    assert errors_of(refused)[0]["code"] == 429 and 0 < int(refused["Retry-After"]) <= 60


def test_writes_go_through_uncounted_while_redis_is_unreachable(client, settings, streetlight, jurisdiction):
    _key, raw = create_api_key(application="Busy", jurisdiction=jurisdiction, writes_per_minute=1)
    with socket.socket() as s:  # a port nothing listens on: the cache's Redis is gone
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"  # the rate counters' and the cached keys' Redis
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    assert [file_light(client, raw).status_code for _ in range(3)] == [200, 200, 200]
    assert ServiceRequest.objects.count() == 3


def test_nul_characters_no_database_takes_are_dropped(client, streetlight, api_key):
    [created] = parse_json(file_light(client, api_key, description="nul \x00 byte"))
    assert ServiceRequest.objects.get(public_id=created["service_request_id"]).description == "nul  byte"


GARBAGE = [
    {"lat": "north", "long": "-122"},
    {"lat": "95", "long": "0"},
    {"lat": "37.7", "long": ""},
    {"description": "x" * 4001},
    {"attribute[pole]": "\x00"},
    {"attribute[colours]": ["red", "red", "mauve"]},
    {"attribute[hazard]": ["yes", "no"]},
    {"media_url": "javascript:alert(1)"},
    {"email": "x" * 300, "email_alerts_requested": "true"},
    {"email": "not an email", "email_alerts_requested": "true"},
    {"service_code": "x" * 500},
    {"jurisdiction_id": "\u00e9\u0000"},
    {"address_id": "#NOTPINPOINTED#" * 20},
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("bad", GARBAGE, ids=range(len(GARBAGE)))
def test_bad_input_gets_an_open311_error_never_a_500(client, streetlight, api_key, bad, fmt):
    response = file_light(client, api_key, fmt, **bad)
    assert response.status_code in (400, 404), response.content
    assert errors_of(response)[0]["code"] == response.status_code


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n', "multipart/form-data; boundary=x"),
        (b'{"service_code": "streetlight"}', "application/json"),
        (b"<x/>", "text/xml"),
        (b"api_key=%ZZ&service_code=%FF%FE", "application/x-www-form-urlencoded"),
    ],
)
def test_unreadable_bodies_get_an_open311_error(client, streetlight, api_key, body, content_type):
    response = client.post(URL.format("xml"), body, content_type=content_type)
    assert response.status_code in (400, 403)
    assert errors_of(response)[0]["code"] == response.status_code
