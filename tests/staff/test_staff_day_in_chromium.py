"""A staff member's day in the real Chromium: sign in, filter, open, assign, notes, merge, transfer, bulk-resolve."""

import re

import pytest
from django.contrib.gis.geos import Point
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from requests_app.models import StatusChange
from requests_app.statuses import Status
from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (shared browser fixtures)
from tests.factories import ServiceRequestFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser_context_args(browser_context_args):
    # Staff work at a desk.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def day(jurisdiction, department, team, other_department, pothole):
    lead = UserFactory(username="dana")
    team.members.add(lead)
    team.leads.add(lead)
    other = UserFactory(username="sam")
    TeamFactory(department=other_department, code="signals").members.add(other)
    for user in (lead, other):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    def make(**kwargs):
        return ServiceRequestFactory(service_type=pothole, department=department, team=team, **kwargs)

    return {
        "original": make(address="12 Elm St", location=Point(-122.4194, 37.7749, srid=4326)),
        "duplicate": make(address="14 Elm St", location=Point(-122.4195, 37.7750, srid=4326)),
        "signal": make(address="Market & 5th", location=Point(-122.407, 37.784, srid=4326)),
        "fixed": [
            make(status=Status.IN_PROGRESS, address=f"{n} Oak St", location=Point(-122.43, 37.77 + n / 1000, srid=4326))
            for n in (1, 2)
        ],
        "other_department": other_department,
    }


def sign_in(page, live_server, username):
    """Password and the code of the person's authenticator, as on their phone."""
    device = TOTPDevice.objects.get(user__username=username)
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def test_a_staff_day(page, live_server, day, screenshot, settings):  # noqa: F811
    settings.STAFF_POLL_SECONDS = 2
    original, duplicate, signal = day["original"], day["duplicate"], day["signal"]
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)

    sign_in(page, live_server, "dana")
    expect(page.locator("table.queue tbody tr")).to_have_count(5)
    expect(page.locator("#queue-map.loaded")).to_have_attribute("data-count", "5")
    # A request filed while the queue is open shows up without a reload.
    newcomer = ServiceRequestFactory(
        service_type=original.service_type, department=original.department, address="1 New St"
    )
    expect(page.locator("#changes")).to_contain_text(newcomer.public_id, timeout=10_000)
    screenshot("staff-queue")

    page.get_by_label("Search").fill("Elm")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    expect(page.locator("#queue-map.loaded")).to_have_attribute("data-count", "2")
    screenshot("staff-queue-filtered")

    page.get_by_role("link", name=original.public_id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(original.public_id)
    expect(page.locator(".nearby")).to_contain_text(duplicate.public_id)
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#assignee")).to_have_text("dana")
    page.locator("#status_to").select_option("in_progress")
    page.locator("#status_public_note").fill("A crew is on the way.")
    page.locator("#status_internal_note").fill("Bring the big van.")
    page.locator("#status-form").get_by_role("button", name="Save").click()
    expect(page.locator(".history .public-note").last).to_contain_text("A crew is on the way.")
    expect(page.locator(".history .internal-note").last).to_contain_text("Bring the big van.")
    screenshot("staff-request")

    page.get_by_role("link", name=duplicate.public_id).click()
    page.get_by_label("Original request (public id)").fill(original.public_id)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("#status")).to_have_text("Duplicate")
    page.get_by_role("link", name=original.public_id).last.click()
    expect(page.locator("#me-too")).to_have_text("1")
    screenshot("staff-merged")

    page.goto(f"{live_server.url}/staff/requests/{signal.public_id}/")
    page.get_by_label("Transfer to").select_option(label="Transport")
    page.get_by_label("Reason (the receiving department sees it)").fill("Signal timing, not the road.")
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.get_by_role("link", name=signal.public_id)).to_have_count(0)

    for sr in day["fixed"]:
        page.get_by_label(f"Select {sr.public_id}").check()
    page.get_by_label("Action").select_option("status")
    page.locator("#id_to").select_option("resolved")
    page.locator("#id_public_note").fill("Resurfaced this morning.")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("2 requests changed.")
    expect(page.get_by_role("link", name=day["fixed"][0].public_id)).to_have_count(0)
    screenshot("staff-bulk-resolved")
    page.get_by_role("button", name="Sign out").click()

    # The receiving department sees why, and nobody outside the writing department reads its internal notes.
    sign_in(page, live_server, "sam")
    expect(page.locator(".transfer-reason")).to_contain_text("Signal timing, not the road.")
    page.goto(f"{live_server.url}/staff/requests/{original.public_id}/")
    expect(page.locator(".history")).to_contain_text("A crew is on the way.")
    expect(page.locator(".history")).not_to_contain_text("Bring the big van.")
    screenshot("staff-other-department-view")
    assert not StatusChange.objects.filter(public_note__contains="big van").exists()
    assert outside == []


def test_a_map_cut_short_asks_again_for_the_points_in_view(page, live_server, day, monkeypatch):
    # Five points, two drawn: the answer says it was cut short, so each move asks for the points in view.
    monkeypatch.setattr("frontend.staff.selectors.MAP_LIMIT", 2)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/staff/map.geojson" in r.url else None)
    sign_in(page, live_server, "dana")
    expect(page.locator("#queue-map.loaded")).to_have_attribute("data-count", "2")
    assert "bbox=" not in asked[0]
    page.locator("#queue-map").dblclick()  # zoom in
    page.wait_for_function("() => document.querySelector('#queue-map.leaflet-container') !== null")
    page.wait_for_timeout(1000)
    boxes = [url for url in asked if "bbox=" in url]
    assert boxes, asked
    west, south, east, north = (float(c) for c in boxes[-1].split("bbox=")[1].split("&")[0].split(","))
    # Around the demo points of San Francisco, not the world.
    assert -123 < west < east < -122 and 37 < south < north < 38
