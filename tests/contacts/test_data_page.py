import json

import pytest
from django.test import Client

from contacts.models import Consent, Contact
from contacts.purposes import Purpose

pytestmark = pytest.mark.django_db


def test_the_page_shows_what_we_hold_and_keeps_the_link_private(client, file_request):
    sr = file_request(email="mine@example.org", first_name="Grace")
    response = client.get(f"/track/{sr.tracking_token}/data/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "mine@example.org" in body and "Grace" in body and sr.public_id in body
    given = Contact.objects.get(service_request_id=sr.pk).created_at
    assert given.isoformat() not in body and given.strftime("%Y") in body  # a date for people, not ISO 8601
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]


def test_the_json_download_holds_the_details_and_the_consents(client, file_request):
    sr = file_request(phone="+1 415 555 0104", language="en")
    response = client.get(f"/track/{sr.tracking_token}/data/download.json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["contact"]["details"] == {"phone": "+1 415 555 0104"}
    assert {c["purpose"] for c in data["consents"]} == {Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS}
    assert all(c["wording"] and c["live"] for c in data["consents"])


def test_erase_now_scrubs_the_contact(client, file_request):
    sr = file_request(email="eraseme@example.org")
    response = client.post(f"/track/{sr.tracking_token}/data/erase/")
    assert response.status_code == 302 and response["Location"].endswith("/data/?done=erased")
    assert Contact.objects.get(service_request_id=sr.pk).email == ""
    assert "eraseme@example.org" not in client.get(response["Location"]).content.decode()


def test_each_consent_is_withdrawn_with_one_button(client, file_request):
    sr = file_request(email="stop@example.org")
    confirm = client.get(f"/track/{sr.tracking_token}/data/withdraw/{Purpose.STATUS_UPDATES}/")
    assert confirm.status_code == 200 and Consent.objects.live().filter(service_request_id=sr.pk).count() == 2
    client.post(f"/track/{sr.tracking_token}/data/withdraw/{Purpose.STATUS_UPDATES}/")
    assert list(Consent.objects.live().filter(service_request_id=sr.pk).values_list("purpose", flat=True)) == [
        Purpose.DEPARTMENT_QUESTIONS
    ]


def test_post_actions_need_the_csrf_token(file_request):
    sr = file_request(email="csrf@example.org")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/track/{sr.tracking_token}/data/erase/").status_code == 403
    assert strict.post(f"/track/{sr.tracking_token}/data/withdraw/{Purpose.STATUS_UPDATES}/").status_code == 403
    assert Contact.objects.get(service_request_id=sr.pk).email == "csrf@example.org"


def test_unknown_and_malformed_tokens_get_the_same_404(client, file_request):
    sr = file_request(email="hidden@example.org")
    near_miss = sr.tracking_token[:-1] + ("A" if sr.tracking_token[-1] != "A" else "B")
    answers = [client.get(f"/track/{token}/data/") for token in (near_miss, "x", "0" * 32)]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert client.post(f"/track/{near_miss}/data/erase/").status_code == 404
    assert Contact.objects.get(service_request_id=sr.pk).email == "hidden@example.org"


def test_an_unknown_purpose_is_404(client, file_request):
    sr = file_request(email="p@example.org")
    assert client.get(f"/track/{sr.tracking_token}/data/withdraw/marketing/").status_code == 404


def test_messages_sent_are_named_in_words_with_times_in_the_city_zone(client, file_request):
    sr = file_request(email="ana@example.org", purposes={Purpose.STATUS_UPDATES})  # filing queues "received"
    page = client.get(f"/track/{sr.tracking_token}/data/").content.decode()
    assert "The request was received (Email" in page and "received (" not in page.replace("was received (", "")
    assert "status_changed" not in page and "Times are San Francisco time (America/Los_Angeles" in page
