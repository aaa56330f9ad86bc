"""An Open311 filing records the consent as the resident saw it: in the application that collected it, in that
application's words, never the web form's."""

import io

import pytest
from django.core.management import call_command

from contacts.models import Consent
from contacts.purposes import Purpose
from contacts.wording import consent_wording
from open311.models import ApiKey
from requests_app.models import ServiceRequest
from tests.factories import tracking_token_for

pytestmark = pytest.mark.django_db

APP_WORDS = "Let the city text me about this report."


def file_with_alerts(client, api_key):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "streetlight",
            "lat": "37.7749",
            "long": "-122.4194",
            "attribute[pole]": "P-17",
            "email": "jane@example.org",
            "email_alerts_requested": "true",
        },
    )


def test_the_consent_names_the_application_and_its_words(client, streetlight, api_key):
    ApiKey.objects.update(consent_wording=APP_WORDS)
    assert file_with_alerts(client, api_key).status_code == 200
    consent = Consent.objects.get()
    assert (consent.purpose, consent.collected_by, consent.wording) == (
        Purpose.STATUS_UPDATES,
        "Test client",
        APP_WORDS,
    )
    assert consent.wording_version == "application"

    page = client.get(f"/track/{tracking_token_for(ServiceRequest.objects.get())}/data/").content.decode()
    assert APP_WORDS in page and "Test client" in page
    assert consent_wording(Purpose.STATUS_UPDATES) not in page


def test_the_key_command_records_the_applications_words(jurisdiction):
    call_command(
        "open311_key",
        "create",
        "--application",
        "Street app",
        "--jurisdiction",
        jurisdiction.slug,
        "--consent-wording",
        APP_WORDS,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert ApiKey.objects.get(application="Street app").consent_wording == APP_WORDS


def test_an_application_that_declared_no_words_is_recorded_as_such(client, streetlight, api_key):
    assert file_with_alerts(client, api_key).status_code == 200
    consent = Consent.objects.get()
    assert (consent.collected_by, consent.wording) == ("Test client", "")
    page = client.get(f"/track/{tracking_token_for(ServiceRequest.objects.get())}/data/").content.decode()
    assert "the application did not tell us its words" in page
    assert consent_wording(Purpose.STATUS_UPDATES) not in page
