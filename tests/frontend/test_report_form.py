import re

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact, Notification
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from frontend.forms import CONSENT_WORDING_VERSION
from requests_app.models import IdempotentWrite, Photo, ServiceRequest
from requests_app.statuses import Channel
from tests.factories import (
    AreaFactory,
    AreaLayerFactory,
    JurisdictionFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    square,
)

from .conftest import jpeg

pytestmark = pytest.mark.django_db

URL = "/sf.example/report/streetlight/"


def test_the_service_picker_groups_types_and_finds_them_by_a_word(client, streetlight, pothole):
    ServiceTypeFactory(jurisdiction=streetlight.jurisdiction, code="noise", name="Noise", group="Neighbours")
    page = client.get("/sf.example/report/").content.decode()
    assert "<h2>Streets</h2>" in page and "<h2>Neighbours</h2>" in page
    found = client.get("/sf.example/report/", {"q": "blinking"}).content.decode()
    assert "Streetlight out" in found and "Noise" not in found and "Pothole" not in found


def test_the_form_asks_each_question_with_the_input_its_datatype_needs(client, streetlight):
    page = client.get(URL).content.decode()
    assert re.search(r'<input id="id_q_pole" name="q_pole" value=""\s+required', page)
    assert 'type="number" step="any"' in page and 'type="datetime-local"' in page
    assert '<textarea id="id_q_notes"' in page
    assert page.count('type="radio" name="q_state"') == 2 and page.count('type="checkbox" name="q_near"') == 2
    assert "Lamps are repaired within a week." in page


def test_consent_boxes_are_never_ticked_and_send_their_wording_version_without_showing_it(client, streetlight):
    page = client.get(URL).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="purposes"[^>]*>', page)
    assert len(boxes) == len(WORDING[CURRENT_WORDING_VERSION]) and not any("checked" in box for box in boxes)
    assert f'type="hidden" name="consent_wording" value="{CONSENT_WORDING_VERSION}"' in page
    assert page.count(CONSENT_WORDING_VERSION) == 1 and "Wording version" not in page


def test_a_resident_files_with_answers_a_photo_and_consent(client, streetlight, answers):
    response = client.post(
        URL,
        {
            **answers,
            "description": "Blinks all night",
            "address": "1 Market St",
            "lat": "37.79",
            "lon": "-122.39",
            "photos": [jpeg()],
            "email": "jane@example.org",
            "purposes": [Purpose.STATUS_UPDATES],
            "consent_wording": CONSENT_WORDING_VERSION,
        },
    )
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("/filed/")
    assert ServiceRequest.objects.tracked_by(response["Location"].split("/")[2]).get() == sr
    assert sr.answers == {
        "pole": "SL-1234",
        "lamps": 2,
        "since": "2026-11-20T21:30:00",
        "notes": "Near the bus stop",
        "state": "blinking",
        "near": ["school", "crossing"],
    }
    assert sr.location.equals_exact(Point(-122.39, 37.79, srid=4326), 1e-9) and sr.channel == Channel.WEB
    photo = Photo.objects.get(service_request=sr)
    assert "Jane" not in photo.original.name and photo.original.name.endswith(".jpg")
    assert photo.state == Photo.State.PENDING  # public only once its blurred copy is made
    assert Contact.objects.get(service_request_id=sr.pk).email == "jane@example.org"


def test_a_missing_answer_is_shown_next_to_its_question_and_nothing_is_filed(client, streetlight, answers):
    response = client.post(URL, {**answers, "q_pole": "", "q_lamps": "many", "address": "1 Market St"})
    page = response.content.decode()
    assert response.status_code == 400 and not ServiceRequest.objects.exists()
    assert '<p class="error" id="id_q_pole-error">Please answer this question.</p>' in page
    assert re.search(r'<p class="error" id="id_q_lamps-error">Enter a number.</p>', page)
    assert 'aria-invalid="true" aria-describedby="id_q_lamps-error"' in page
    assert 'value="SL-1234"' not in page and 'value="many"' in page  # what was typed comes back


def test_a_location_is_needed_and_said_so_above_the_map(client, streetlight, answers):
    page = client.post(URL, answers).content.decode()
    assert '<p class="error" id="location-error">Give a location: a point on the map or an address.</p>' in page


def test_contact_details_without_a_ticked_purpose_are_refused_not_silently_dropped(client, streetlight, answers):
    page = client.post(URL, {**answers, "address": "1 Market St", "email": "jane@example.org"}).content.decode()
    assert '<p class="error" id="purposes-error">' in page
    assert not ServiceRequest.objects.exists() and not Contact.objects.exists()


def test_the_forms_own_errors_and_the_answers_errors_are_shown_together(client, streetlight, answers):
    page = client.post(URL, {**answers, "q_state": "", "address": "1 Market St", "phone": "555 0100"}).content.decode()
    assert '<p class="error" id="purposes-error">' in page and '<p class="error" id="q_state-error">' in page


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_photo_field(client, streetlight, answers):
    page = client.post(
        URL,
        {**answers, "address": "1 Market St", "photos": [SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")]},
    ).content.decode()
    assert '<p class="error" id="photos-error">This file is not a photo we can read.</p>' in page
    assert not ServiceRequest.objects.exists()


def test_a_type_that_stops_filing_shows_its_notice_and_accepts_nothing(client, jurisdiction):
    ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="gas",
        name="Gas smell",
        stops_filing=True,
        notice="Danger to life: call 911 now.",
    )
    page = client.get("/sf.example/report/gas/").content.decode()
    assert "Danger to life: call 911 now." in page and 'id="report-form"' not in page
    response = client.post("/sf.example/report/gas/", {"address": "1 Market St"})
    assert response.status_code == 400 and "Danger to life: call 911 now." in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_same_idempotency_key_files_one_request_however_often_it_is_sent(client, streetlight, answers):
    data = {**answers, "address": "1 Market St"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "3f1c9a0e-offline-1", "HTTP_ACCEPT": "application/json"}
    first = client.post(URL, data, **headers)
    again = client.post(URL, data, **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["public_id"] == again.json()["public_id"]
    sr = ServiceRequest.objects.get()
    assert first.json()["tracking_url"] == again.json()["tracking_url"]
    token = first.json()["tracking_url"].split("/")[-2]
    assert ServiceRequest.objects.tracked_by(token).get() == sr and sr.channel == Channel.WEB
    # The replay's answer is kept for its link, with the token sealed: the record holds no working link.
    payload = IdempotentWrite.objects.get().payload
    assert payload["service_request_id"] == sr.pk and token not in str(payload)


def test_a_refused_submission_leaves_its_idempotency_key_free_for_the_corrected_one(client, streetlight, answers):
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-for-a-fixed-form", "HTTP_ACCEPT": "application/json"}
    refused = client.post(URL, {**answers, "q_pole": "", "address": "1 Market St"}, **headers)
    assert refused.status_code == 400 and "pole" in refused.json()["errors"]
    assert client.post(URL, {**answers, "address": "1 Market St"}, **headers).status_code == 201


def test_a_malformed_idempotency_key_is_a_clear_error(client, streetlight, answers):
    response = client.post(
        URL, {**answers, "address": "1 Market St"}, HTTP_IDEMPOTENCY_KEY="<script>", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "idempotency_key" in response.json()["errors"]


def test_already_reported_lists_open_requests_of_the_same_type_nearby(client, streetlight, pothole):
    near = ServiceRequestFactory(service_type=streetlight, location=Point(-122.4194, 37.7750, srid=4326))
    ServiceRequestFactory(service_type=pothole, location=Point(-122.4194, 37.7750, srid=4326))
    ServiceRequestFactory(service_type=streetlight, location=Point(-122.30, 37.80, srid=4326))
    found = client.get(URL + "nearby/", {"lat": "37.7749", "lon": "-122.4194"}).json()["requests"]
    assert [r["public_id"] for r in found] == [near.public_id]
    assert found[0]["me_too_url"] == f"/requests/{near.public_id}/me-too/" and found[0]["distance_m"] < 20
    assert "tracking" not in str(found) and near.tracking_token not in str(found)


def test_already_reported_never_gives_the_distance_to_a_sensitive_request(client, jurisdiction):
    noise = ServiceTypeFactory(jurisdiction=jurisdiction, code="noise", sensitive=True)
    ServiceRequestFactory(service_type=noise, location=Point(-122.4194, 37.7745, srid=4326))  # same grid cell
    found = client.get("/sf.example/report/noise/nearby/", {"lat": "37.7749", "lon": "-122.4194"}).json()["requests"]
    assert len(found) == 1 and found[0]["distance_m"] is None


def test_already_reported_says_what_is_wrong_with_a_bad_point(client, streetlight):
    response = client.get(URL + "nearby/", {"lat": "north", "lon": "-122.4"})
    assert response.status_code == 400 and "location" in response.json()["errors"]


def test_the_place_search_answers_from_the_jurisdictions_own_addresses(client, pothole):
    ServiceRequestFactory(service_type=pothole, address="500 Valencia St")
    assert client.get("/sf.example/places/", {"q": "valen"}).json()["places"][0]["label"] == "500 Valencia St"


def test_shenzhen_pages_speak_chinese_unless_the_resident_chose_english(client):
    shenzhen = JurisdictionFactory(
        slug="sz.example", name="Shenzhen", name_translations={"zh-hans": "深圳"}, languages=["zh-hans", "en"]
    )
    ServiceTypeFactory(jurisdiction=shenzhen, code="pothole", name="Pothole", name_translations={"zh-hans": "道路坑洼"})
    page = client.get("/sz.example/report/")
    assert page["Content-Language"] == "zh-hans" and "道路坑洼" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Pothole" in client.get("/sz.example/report/").content.decode()


def test_an_unknown_city_or_service_is_a_404(client, streetlight):
    assert client.get("/nowhere.example/report/").status_code == 404
    assert client.get("/sf.example/report/no-such-type/").status_code == 404


def test_more_photos_than_allowed_are_refused_next_to_the_photo_field(client, streetlight, answers):
    page = client.post(
        URL, {**answers, "address": "1 Market St", "photos": [jpeg() for _ in range(4)]}
    ).content.decode()
    assert '<p class="error" id="photos-error">Send at most 3 photos.</p>' in page
    assert not ServiceRequest.objects.exists()


def test_the_map_gets_the_outlines_of_the_jurisdictions_areas(client, jurisdiction):
    AreaFactory(
        layer=AreaLayerFactory(jurisdiction=jurisdiction), name="Mission", boundary=square(-122.43, 37.75, 0.02)
    )
    areas = client.get("/sf.example/areas/").json()["areas"]
    assert [a["name"] for a in areas] == ["Mission"] and '"coordinates"' in areas[0]["geometry"]


def test_the_form_takes_a_fixed_number_of_queries(client, streetlight, django_assert_num_queries):
    with django_assert_num_queries(3):  # the jurisdiction, the service type, its questions
        client.get(URL)


def test_filing_with_consent_to_updates_queues_the_link_by_email_and_says_so(client, streetlight, answers):
    response = client.post(
        URL,
        {
            **answers,
            "description": "Out",
            "address": "1 Market St",
            "email": "jane@example.org",
            "purposes": [Purpose.STATUS_UPDATES],
        },
        follow=True,
    )
    sr = ServiceRequest.objects.get()
    assert Notification.objects.filter(service_request_id=sr.pk, event=Event.RECEIVED, medium="email").exists()
    page = response.content.decode()
    assert "We are sending this link to you now" in page and "only way" not in page


def test_filing_without_consent_sends_nothing_and_says_to_keep_the_link(client, streetlight, answers):
    response = client.post(URL, {**answers, "description": "Out", "address": "1 Market St"}, follow=True)
    assert not Notification.objects.exists()
    page = response.content.decode()
    assert "Keep this link" in page and 'id="copy-link"' in page and 'id="share-link"' in page
