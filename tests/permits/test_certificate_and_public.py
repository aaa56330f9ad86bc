"""An issued permit's certificate carries a QR code that, read back from the rendered PDF, opens the public
verification page; that page, the map layer and open data show the permit and nothing about the applicant."""

import csv
import io
from datetime import date
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from permits.services import complete_step, decide_permit, mark_fee_paid, revoke_permit
from tests.factories import tracking_token_for

from .conftest import at

APPLIED = date(2026, 11, 30)
PRIVATE = ("Ana", "ana@example.org", "+14155550100", "5550100", "Kitchen refit")


@pytest.fixture
def issued(apply, staff):
    with at(APPLIED):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
    complete_step(permit, by=staff)
    complete_step(permit, by=staff)
    decide_permit(permit, by=staff, approve=True, added_conditions=["Keep the hydrant clear."])
    return mark_fee_paid(permit, by=staff, reference="SF-1")


def qr_codes_in(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_certificates_qr_code_opens_the_verification_page(client, issued):
    token = tracking_token_for(issued.service_request)
    with at(date(2026, 12, 8)):
        response = client.get(reverse("permit_pages:certificate", args=[token]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        [url] = qr_codes_in(response.content)
        page = client.get(urlsplit(url).path)
    text = page.content.decode()
    assert page.status_code == 200 and issued.verification_code in url
    assert "Valid today" in text and "Skip on the street" in text and "1 Market St" in text
    assert "Light the skip at night." in text and "Keep the hydrant clear." in text
    assert not [value for value in PRIVATE if value in text]


def test_the_certificate_in_chinese_reads_back_the_same_code(client, issued):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("permit_pages:certificate", args=[tracking_token_for(issued.service_request)]))
    assert qr_codes_in(response.content) == [
        "http://testserver" + reverse("permit_pages:verify", args=[issued.verification_code])
    ]


def test_no_certificate_before_the_fee_is_paid_and_the_page_says_so(client, apply, staff):
    with at(APPLIED):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
    complete_step(permit, by=staff)
    complete_step(permit, by=staff)
    permit = decide_permit(permit, by=staff, approve=True)
    assert (
        client.get(reverse("permit_pages:certificate", args=[tracking_token_for(permit.service_request)])).status_code
        == 404
    )
    assert (
        "fee is unpaid" in client.get(reverse("permit_pages:verify", args=[permit.verification_code])).content.decode()
    )


def test_a_revoked_permit_verifies_as_revoked_with_its_reason(client, issued, staff):
    revoke_permit(issued, by=staff, reason="Gas works")
    text = client.get(reverse("permit_pages:verify", args=[issued.verification_code])).content.decode()
    assert "Revoked: not valid" in text and "Gas works" in text


def test_an_undecided_application_has_no_verification_page(client, apply):
    with at(APPLIED):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
    assert client.get(reverse("permit_pages:verify", args=[permit.verification_code])).status_code == 404


def test_active_permits_are_a_map_layer_and_open_data_without_the_applicant(client, issued, apply, jurisdiction):
    with at(APPLIED):
        apply(date(2026, 12, 14), date(2026, 12, 18))  # undecided: not public
    with at(date(2026, 12, 8)):
        layer = client.get(reverse("permit_pages:map-layer", args=[jurisdiction.slug]))
        table = client.get(reverse("permit_pages:export-csv", args=[jurisdiction.slug]))
    [feature] = layer.json()["features"]
    assert (
        feature["geometry"]["type"] == "LineString"
        and feature["properties"]["permit"] == issued.service_request.public_id
    )
    assert set(feature["properties"]) == {
        "permit",
        "type",
        "type_code",
        "place",
        "starts_on",
        "ends_on",
        "conditions",
        "verification_url",
    }
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))
    assert [row["permit"] for row in rows] == [issued.service_request.public_id]
    for body in (layer.content.decode(), table.content.decode()):
        assert not [value for value in PRIVATE if value in body] and "email" not in body and "phone" not in body
    with at(date(2026, 12, 12)):
        assert client.get(reverse("permit_pages:map-layer", args=[jurisdiction.slug])).json()["features"] == []
