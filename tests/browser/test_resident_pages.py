"""The resident's side in Debian's Chromium on a phone-sized screen, checked with axe-core on every page."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from contacts.models import Contact
from requests_app.models import Photo, ServiceRequest
from requests_app.statuses import Status
from tests.factories import AreaFactory, AreaLayerFactory, ServiceRequestFactory, ServiceTypeFactory, square
from tests.frontend.conftest import streetlight  # noqa: F401  (a fixture: a type with every datatype)

from .axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKET = Point(-122.3937, 37.7946, srid=4326)


@pytest.fixture
def city(jurisdiction, streetlight, pothole):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    AreaFactory(layer=layer, name="Financial District", boundary=square(-122.41, 37.78, 0.03))
    ServiceRequestFactory(service_type=pothole, address="1 Market St", location=MARKET, status=Status.CLOSED)
    return jurisdiction


@pytest.fixture
def big_photo(tmp_path):
    path = tmp_path / "IMG_2044.jpg"
    Image.new("RGB", (3200, 2400), "teal").save(path, format="JPEG", quality=95)
    return path


def watch_outside(page, live_server):
    outside, csp = [], []
    local = (live_server.url, "blob:" + live_server.url, "data:")  # blob: is the photo preview made on the phone
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    return outside, csp


def test_a_resident_files_with_a_photo_questions_and_consent_then_follows_the_link(
    page, live_server, city, big_photo, screenshot
):
    outside, csp = watch_outside(page, live_server)
    page.goto(live_server.url + "/sf.example/report/")
    page.get_by_label("Search the services").fill("blink")
    assert page.get_by_role("link", name="Pothole").is_hidden()
    assert violations(page) == []
    screenshot("resident-1-pick-service")
    page.get_by_role("link", name="Streetlight out").click()

    page.get_by_label("Search a street or a place").fill("market")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="1 Market St").click()
    assert page.locator("#id_lat").input_value() == "37.794600"
    page.get_by_label("Pole number").fill("SL-77")
    page.get_by_label("How many lamps?").fill("2")
    page.get_by_label("Dark since when?").fill("2026-11-20T21:30")
    page.get_by_label("Blinking").check()
    page.get_by_label("A school").check()
    page.get_by_label("What is the problem?").fill("Blinks all night")
    page.get_by_label("Photos (up to 3)").set_input_files(str(big_photo))
    page.wait_for_selector("#id_photos[data-resized='1']")
    page.get_by_label("Email").fill("jane@example.org")
    page.get_by_label("Send me updates about this request.").check()
    assert violations(page) == []
    screenshot("resident-2-form-filled")
    page.get_by_role("button", name="Send the request").click()

    page.wait_for_url("**/filed/")
    sr = ServiceRequest.objects.get(service_type__code="streetlight")
    assert page.locator("#public-id").inner_text() == sr.public_id
    assert sr.answers["pole"] == "SL-77" and sr.answers["near"] == ["school"]
    with Photo.objects.get(service_request=sr).original.open() as f, Image.open(f) as stored:
        assert max(stored.size) == 1600  # made smaller on the phone, not only on the server
    assert Contact.objects.get(service_request_id=sr.pk).email == "jane@example.org"
    assert page.locator("figure.qr svg").is_visible()
    assert violations(page) == []
    screenshot("resident-3-filed")

    page.locator("#tracking-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Your request {sr.public_id}"
    assert page.locator("#status").inner_text() == "Submitted"
    assert violations(page) == []
    screenshot("resident-4-tracking")
    assert outside == [] and csp == []


def test_the_whole_form_can_be_filled_and_sent_with_the_keyboard(page, live_server, city):
    page.goto(live_server.url + "/sf.example/report/pothole/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "document.activeElement.name || document.activeElement.id || document.activeElement.textContent"
        )
        reached.append(name)
        if name.strip() == "Send the request":
            break
    assert {"place-search", "locate", "address", "description", "photos", "first_name", "email", "purposes"} <= set(
        reached
    )
    page.get_by_label("Address or place").focus()
    page.keyboard.type("Corner of Pine and Front")
    page.keyboard.press("Enter")
    page.wait_for_url("**/filed/")
    assert (
        ServiceRequest.objects.get(service_type__code="pothole", status=Status.SUBMITTED).address
        == "Corner of Pine and Front"
    )


def test_a_request_made_offline_waits_on_the_phone_and_is_sent_once_when_back_online(
    page, live_server, city, screenshot
):
    page.goto(live_server.url + "/sf.example/report/pothole/")
    page.get_by_label("Address or place").fill("Pine and Battery")
    page.get_by_label("What is the problem?").fill("A deep hole")
    page.context.set_offline(True)
    page.get_by_role("button", name="Send the request").click()
    waiting = page.locator("#outbox-list li.waiting")
    waiting.wait_for()
    assert "Waiting for a connection: Pothole" in waiting.inner_text()
    assert not ServiceRequest.objects.filter(address="Pine and Battery").exists()
    screenshot("resident-5-offline-waiting")

    page.context.set_offline(False)
    page.locator("#outbox-list li.sent").wait_for()
    sr = ServiceRequest.objects.get(address="Pine and Battery")
    assert sr.public_id in page.locator("#outbox-list li.sent").inner_text()
    assert page.locator("#outbox-list li.waiting").count() == 0
    screenshot("resident-6-offline-sent")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(300)
    assert ServiceRequest.objects.filter(address="Pine and Battery").count() == 1


def test_a_report_shed_by_a_busy_server_waits_on_the_phone_and_is_sent_after_the_wait(
    page, live_server, city, screenshot
):
    # The first send reaches the server marked as having waited a minute for a thread, as gunicorn marks a request
    # it queued past capacity (config/shedding.py): the server itself answers 503 with Retry-After.
    marked = []

    def busy_once(route):
        if route.request.method == "POST" and not marked:
            marked.append(route.request.headers["idempotency-key"])
            route.continue_(headers={**route.request.headers, "x-civic311-queue-wait-ms": "60000"})
        else:
            route.continue_()

    page.route("**/report/pothole/", busy_once)
    page.goto(live_server.url + "/sf.example/report/pothole/")
    page.get_by_label("Address or place").fill("Sansome and Clay")
    page.get_by_label("What is the problem?").fill("A hole across the crossing")
    page.get_by_role("button", name="Send the request").click()

    page.get_by_text("The service is busy right now").wait_for()
    assert page.locator("#outbox-list li.waiting").count() == 1
    assert not ServiceRequest.objects.filter(address="Sansome and Clay").exists()
    screenshot("resident-5b-busy-waiting")

    page.locator("#outbox-list li.sent").wait_for(timeout=15_000)  # after Retry-After, by itself
    sr = ServiceRequest.objects.get(address="Sansome and Clay")
    assert sr.public_id in page.locator("#outbox-list li.sent").inner_text()
    assert len(marked) == 1


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_a_resident_near_an_open_request_judges_it_and_says_me_too_instead_of_filing(
    page, live_server, city, pothole, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    open_one = ServiceRequestFactory(
        service_type=pothole,
        location=Point(-122.4000, 37.7900, srid=4326),
        submitted_at=timezone.now() - timedelta(days=3),
        me_too_count=2,
        description="Deep hole in the bike lane, call 415 555 0100",
    )
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 37.7901, "longitude": -122.4001})
    page.goto(live_server.url + "/sf.example/report/pothole/")
    page.get_by_role("button", name="Use my location").click()
    page.get_by_role("heading", name="Already reported?").wait_for()
    candidate = page.locator("#nearby-list li").first
    assert candidate.locator(".nearby-link").inner_text() == "Pothole · Submitted"
    assert candidate.locator(".excerpt").inner_text() == "Deep hole in the bike lane, call [removed]"
    assert f"{open_one.public_id} · filed 3 days ago" in candidate.locator(".nearby-meta").inner_text()
    assert candidate.locator(".me-too-count").inner_text() == "residents affected: 2"
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"resident-7-already-reported-{width}")
    page.get_by_role("button", name="Me too").click()
    page.get_by_text("Thank you: we counted you.").wait_for()
    assert candidate.locator(".me-too-count").inner_text() == "residents affected: 3"
    open_one.refresh_from_db()
    assert open_one.me_too_count == 3

    page.goto(live_server.url + f"/requests/{open_one.public_id}/")
    assert page.locator("#me-too-count").inner_text() == "3"
    assert violations(page) == []
    screenshot("resident-8-public-page")


def test_the_requester_reopens_a_request_that_was_closed_but_not_fixed(page, live_server, city, pothole, screenshot):
    sr = ServiceRequestFactory(
        service_type=pothole, status=Status.RESOLVED, closed_at=timezone.now() - timedelta(days=2)
    )
    page.goto(live_server.url + f"/track/{sr.tracking_token}/")
    assert page.get_by_role("heading", name="Was it fixed?").is_visible()
    assert violations(page) == []
    screenshot("resident-9-was-it-fixed")
    page.get_by_label("What is still wrong?").fill("The hole is back after the rain")
    page.get_by_role("button", name="Reopen the request").click()
    page.get_by_text("Your request is open again.").wait_for()
    assert page.locator("#status").inner_text() == "Reopened"
    assert violations(page) == []
    screenshot("resident-10-reopened")


def test_a_resident_switches_the_form_to_chinese(page, live_server, city, screenshot):
    page.goto(live_server.url + "/sf.example/report/streetlight/")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "路灯故障"
    assert page.get_by_role("button", name="发送请求").is_visible()
    assert violations(page) == []
    screenshot("resident-11-form-zh")


def test_the_offline_page_and_a_stopped_service_are_accessible(page, live_server, city, screenshot):
    ServiceTypeFactory(
        jurisdiction=city, code="gas", name="Gas smell", stops_filing=True, notice="Danger to life: call 911 now."
    )
    page.goto(live_server.url + "/sf.example/report/gas/")
    assert page.get_by_text("Danger to life: call 911 now.").is_visible()
    assert violations(page) == []
    screenshot("resident-12-stop-notice")
    page.goto(live_server.url + "/offline/")
    assert violations(page) == []


def test_the_accessibility_check_does_catch_a_broken_page(page):
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="data:,"></main></body></html>')
    assert any(v.startswith("image-alt") for v in violations(page))


def test_a_draft_is_kept_on_the_phone_and_the_form_opens_without_a_connection(
    page, live_server, city, pothole, screenshot
):
    private = live_server.url + f"/track/{ServiceRequestFactory(service_type=pothole).tracking_token}/"
    page.goto(live_server.url + "/sf.example/report/streetlight/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(private)
    page.goto(live_server.url + "/sf.example/report/streetlight/")  # now the service worker keeps a copy
    page.get_by_label("Pole number").fill("SL-9")
    page.get_by_label("Dark", exact=True).check()
    page.get_by_label("What is the problem?").fill("Dark since Friday")
    page.get_by_text("Draft saved on this device.").wait_for()
    page.context.set_offline(True)
    page.reload()
    assert page.get_by_label("What is the problem?").input_value() == "Dark since Friday"
    assert (
        page.get_by_label("Pole number").input_value() == "SL-9" and page.get_by_label("Dark", exact=True).is_checked()
    )
    screenshot("resident-13-offline-draft")
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(private)  # a private tracking page is never kept on the device


@pytest.mark.parametrize("path", ["/requests/{public_id}/", "/track/{token}/"])
def test_a_request_id_stays_whole_in_the_heading_on_a_narrow_phone(page, live_server, city, pothole, path):
    sr = ServiceRequestFactory(service_type=pothole, location=MARKET)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + path.format(public_id=sr.public_id, token=sr.tracking_token))
    heading_id = page.locator("h1 .unbroken")
    assert heading_id.inner_text() == sr.public_id
    # One line box: "4NTA-45CC" is not split at its hyphen.
    assert heading_id.evaluate("node => node.getClientRects().length") == 1
