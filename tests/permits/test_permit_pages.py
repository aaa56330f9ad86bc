"""The applicant's pages end to end: the form shows the fee and what happens next, an application is filed once
per key, the applicant answers from the tracking page, and their documents are theirs and the department's."""

import json
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from contacts.models import Consent
from permits.models import Permit
from permits.pipeline import State
from permits.services import request_information

from .conftest import FRONTAGE, at, pdf_with_javascript, plain_pdf, upload

TODAY = date(2026, 11, 30)


def form_data(**overrides):
    data = {
        "geometry": json.dumps(json.loads(FRONTAGE.geojson)),
        "address": "1 Market St",
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-11",
        "description": "Kitchen refit",
        "phone": "+14155550100",
        "purposes": ["permit_decision"],
        "document_plan": upload(plain_pdf()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def apply_url(skip_permit):
    return reverse("permit_pages:apply", args=[skip_permit.service_type.jurisdiction.slug, "skip"])


def test_the_form_shows_the_fee_the_notice_the_decision_day_and_the_standard_conditions(client, apply_url):
    with at(TODAY):
        page = client.get(apply_url).content.decode()
    assert 'data-fee-kind="per_day"' in page and "25.00 USD per day" in page
    assert "Dec. 2, 2026" in page  # the earliest first day: two working days' notice
    assert "Dec. 7, 2026" in page  # five working days to decide
    assert "Light the skip at night." in page
    assert 'value="permit_decision"' in page and "checked" not in page


def test_the_report_form_of_a_permit_type_leads_to_the_application(client, skip_permit, apply_url):
    response = client.get(reverse("frontend:report", args=[skip_permit.service_type.jurisdiction.slug, "skip"]))
    assert response.status_code == 302 and response["Location"] == apply_url


def test_an_application_sent_twice_with_one_key_is_filed_once_with_its_consent(client, apply_url):
    with at(TODAY):
        first = client.post(apply_url, form_data(), HTTP_ACCEPT="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20)
        again = client.post(apply_url, form_data(), HTTP_ACCEPT="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["public_id"] == again.json()["public_id"] and Permit.objects.count() == 1
    consent = Consent.objects.get()
    assert (consent.purpose, consent.wording_version) == ("permit_decision", "2026-12-permit-form-1")
    filed = client.get(first.json()["filed_url"]).content.decode()
    assert "The department decides by Dec. 7, 2026" in filed and "125.00 USD" in filed


def test_a_scripted_pdf_is_refused_beside_its_field_and_nothing_is_filed(client, apply_url):
    with at(TODAY):
        response = client.post(apply_url, form_data(document_plan=upload(pdf_with_javascript())))
    assert response.status_code == 400 and "scripts, actions or attached files" in response.content.decode()
    assert not Permit.objects.exists()


def test_bad_input_gets_json_errors_never_a_500(client, apply_url):
    with at(TODAY):
        response = client.post(
            apply_url,
            form_data(geometry='{"type": "Point", "coordinates": [1]}', starts_on="yesterday"),
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 400 and {"geometry", "starts_on"} <= set(response.json()["errors"])


def test_the_applicant_answers_an_information_request_from_the_tracking_page(client, apply, staff):
    with at(TODAY):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
        request_information(permit, by=staff, question="Which side of the street?")
    token = permit.service_request.tracking_token
    page = client.get(reverse("frontend:track", args=[token])).content.decode()
    assert "Which side of the street?" in page and "Was it fixed?" not in page
    response = client.post(
        reverse("permit_pages:answer", args=[token]), {"answer": "North side", "document_plan": upload(plain_pdf("v2"))}
    )
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.state == State.IN_REVIEW and permit.documents.count() == 2


def test_the_applicant_downloads_their_document_and_nobody_else_can_by_guessing(client, apply):
    with at(TODAY):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
    document = permit.documents.get()
    token = permit.service_request.tracking_token
    response = client.get(reverse("permit_pages:document", args=[token, document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("permit_pages:document", args=["x" * 40, document.pk])).status_code == 404
    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
