import pytest
from django.contrib.gis.geos import Point

from contacts.models import Consent, Contact
from contacts.purposes import Purpose
from contacts.services import ContactDetails
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from requests_app.services import Submission, submit_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_requester_withdraws_a_consent_then_erases_their_details(page, live_server, pothole, screenshot):
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.4, 37.7, srid=4326),
            contact=ContactDetails(
                email="browser@example.org", language="en", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION])
            ),
        )
    )
    page.goto(f"{live_server.url}/track/{sr.tracking_token}/data/")
    assert page.get_by_text("browser@example.org").is_visible()
    screenshot("contacts-data-page")

    page.locator(f"form[action$='/withdraw/{Purpose.STATUS_UPDATES}/'] button").click()
    page.get_by_role("status").wait_for()
    assert set(Consent.objects.live().filter(service_request_id=sr.pk).values_list("purpose", flat=True)) == (
        set(WORDING[CURRENT_WORDING_VERSION]) - {Purpose.STATUS_UPDATES}
    )

    page.get_by_role("button", name="Erase my contact details now").click()
    page.get_by_text("Your contact details are erased.").wait_for()
    assert "browser@example.org" not in page.content()
    assert Contact.objects.get(service_request_id=sr.pk).erased_at is not None
