"""A resident applies for a permit on a phone in Debian's Chromium: draws the stretch of street, sees the fee
before sending, attaches a plan, consents to hear the decision, and follows the application; axe-core finds
nothing on any page. Staff then see it in the permit queue with its decision clock."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from permits.models import Permit
from tests.factories import AreaFactory, AreaLayerFactory, square
from tests.permits.conftest import calendar, plain_pdf, skip_permit  # noqa: F401  (fixtures)

from .axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(jurisdiction, skip_permit):  # noqa: F811
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    AreaFactory(layer=layer, name="Financial District", boundary=square(-122.41, 37.78, 0.01))
    return jurisdiction


def test_a_resident_applies_for_a_skip_permit_on_a_phone_and_sees_the_fee_before_sending(
    page, live_server, city, screenshot
):
    outside, errors = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/sf.example/report/skip/")  # the report link of a permit leads to its form
    assert page.get_by_role("heading", level=1).inner_text() == "Skip on the street"
    assert violations(page) == []
    screenshot("permit-1-apply-390")

    page.wait_for_selector("#map.leaflet-container path.leaflet-interactive, #map.leaflet-container svg")
    page.locator("#map").click(position={"x": 80, "y": 100})
    assert page.locator("#map-status").inner_text() == "Points drawn: 1"
    page.wait_for_timeout(600)  # two quick taps would be a double tap, which zooms
    page.locator("#map").click(position={"x": 240, "y": 120})
    assert '"LineString"' in page.locator("#id_geometry").input_value(), errors
    start = timezone.localdate() + timedelta(days=14)
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=2)).isoformat())
    assert page.locator("#fee-preview").inner_text() == "Fee if approved: 75.00 USD (3 days)"
    page.get_by_label("Address or place").fill("1 Market St")
    page.get_by_label("Site plan").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": plain_pdf()}]
    )
    page.get_by_label("Phone").fill("+1 415 555 0100")
    page.get_by_label("Tell me the decision on this permit", exact=False).check()
    screenshot("permit-2-filled-390")
    page.get_by_role("button", name="Send the application").click()

    page.wait_for_url("**/permit/filed/")
    assert "The department decides by" in page.content() and "75.00 USD" in page.content()
    assert violations(page) == []
    screenshot("permit-3-filed-390")
    permit = Permit.objects.get()
    assert permit.geometry.geom_type == "LineString" and permit.documents.count() == 1
    assert permit.service_request.channel == "web"

    page.get_by_role("link", name="/track/", exact=False).click()
    assert page.get_by_role("heading", name="Your permit application").is_visible()
    assert violations(page) == []
    screenshot("permit-4-track-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot("permit-4-track-1366")
    page.goto(live_server.url + "/sf.example/permits/skip/apply/")
    screenshot("permit-1-apply-1366")
    assert outside == []


def test_staff_see_the_application_in_the_permit_queue_with_its_clock(
    page, live_server, city, staff, apply_one, screenshot
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/staff/sign-in/")
    device = TOTPDevice.objects.get_or_create(user=staff, name="phone", defaults={"confirmed": True})[0]
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_label("Authenticator code").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")
    page.goto(live_server.url + "/staff/permits/")
    assert "Due " in page.content() and apply_one.service_request.public_id in page.content()
    assert violations(page) == []
    screenshot("permit-5-staff-queue-1366")
    page.get_by_role("link", name=apply_one.service_request.public_id).click()
    assert page.get_by_role("heading", name="Steps").is_visible()
    assert violations(page) == []
    screenshot("permit-6-staff-permit-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("permit-6-staff-permit-390")


@pytest.fixture
def apply_one(skip_permit, department):  # noqa: F811
    from django.contrib.gis.geos import LineString
    from django.core.files.uploadedfile import SimpleUploadedFile

    from permits.services import PermitApplication, apply_for_permit
    from requests_app.models import ServiceRequest

    start = timezone.localdate() + timedelta(days=14)
    sr = apply_for_permit(
        PermitApplication(
            permit_type=skip_permit,
            geometry=LineString((-122.4194, 37.7749), (-122.4188, 37.7752), srid=4326),
            starts_on=start,
            ends_on=start + timedelta(days=2),
            address="1 Market St",
            documents={"plan": SimpleUploadedFile("plan.pdf", plain_pdf(), "application/pdf")},
        )
    )
    ServiceRequest.objects.filter(pk=sr.pk).update(department=department)
    return sr.permit


def test_the_public_map_shows_granted_permits_as_their_own_layer_saying_why(
    page, live_server, city, staff, apply_one, screenshot
):
    from permits.services import complete_step, decide_permit, mark_fee_paid

    complete_step(apply_one, by=staff)
    complete_step(apply_one, by=staff)
    mark_fee_paid(decide_permit(apply_one, by=staff, approve=True), by=staff, reference="R1")
    page.goto(live_server.url + "/map/sf.example/#17/37.77505/-122.4191")
    page.locator("#map[aria-busy='false']").wait_for(state="attached")
    assert page.get_by_label("Permits (streets in use and why)").is_checked()
    # Where MapLibre drew the permit, in the map's pixels: a click there opens its popup.
    x, y = page.evaluate(
        "() => { const m = window.civicMap;"
        " const f = m.queryRenderedFeatures({layers: ['permit-fill', 'permit-line', 'permit-point']})[0];"
        " const g = f.geometry; if (g.type === 'Point') { const p = m.project(g.coordinates); return [p.x, p.y]; }"
        " const ring = g.type === 'LineString' ? g.coordinates.slice(0, 2) : g.coordinates[0];"
        " const c = [0, 1].map(i => ring.reduce((s, v) => s + v[i], 0) / ring.length);"
        " const p = m.project(c); return [p.x, p.y]; }"
    )
    page.locator("#map canvas").click(position={"x": x, "y": y})
    popup = page.locator(".maplibregl-popup-content")
    expect(popup).to_be_visible()
    assert "Skip on the street" in popup.inner_text() and "1 Market St" in popup.inner_text()
    assert popup.get_by_role("link").get_attribute("href").endswith(f"/permits/verify/{apply_one.verification_code}/")
    assert violations(page) == []
    screenshot("permit-7-public-map-390")


def test_an_application_made_offline_waits_on_the_phone_and_is_filed_once_when_back_online(page, live_server, city):
    page.goto(live_server.url + "/sf.example/permits/skip/apply/")
    page.wait_for_selector("#map.leaflet-container")
    page.locator("#map").click(position={"x": 80, "y": 100})
    page.wait_for_timeout(600)
    page.locator("#map").click(position={"x": 240, "y": 120})
    start = timezone.localdate() + timedelta(days=14)
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill(start.isoformat())
    page.get_by_label("Address or place").fill("1 Market St")
    page.get_by_label("Site plan").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": plain_pdf()}]
    )
    page.context.set_offline(True)
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_selector("#outbox-list li.waiting")
    assert not Permit.objects.exists()
    page.context.set_offline(False)
    page.wait_for_selector("#outbox-list li.sent")
    page.reload()  # a second page load finds an empty outbox: nothing is sent twice
    page.wait_for_load_state("networkidle")
    permit = Permit.objects.get()
    assert permit.documents.count() == 1 and permit.starts_on == start
