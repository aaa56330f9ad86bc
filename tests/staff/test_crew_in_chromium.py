"""A field crew's shift in Debian's Chromium on a phone: route order from where they stand (never sent), work
kept for offline, two requests fixed with photos without signal and sent exactly once when it comes back, and a
conflict shown when the office closed a request meanwhile. axe-core on the crew page in both languages."""

import re

import pytest
from django.contrib.gis.geos import Point
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import expect

from frontend.staff.models import CrewAction
from requests_app.models import Photo, StatusChange
from requests_app.statuses import Status
from staffing.models import StaffRole
from staffing.services import set_status
from tests.browser.axe import violations
from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (shared browser fixtures)
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
# Where the crew stands: only the phone knows. The test looks for these digits in everything the page sends.
HERE = {"latitude": 37.7694, "longitude": -122.4862}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "locale": "en-US",
        "geolocation": HERE,
        "permissions": ["geolocation"],
    }


@pytest.fixture
def shift(jurisdiction, department, team, pothole):
    jurisdiction.timezone = "America/Los_Angeles"
    jurisdiction.save()
    crew = UserFactory(username="crew-ana")
    StaffRole.objects.create(user=crew, role=StaffRole.Role.CREW, jurisdiction=jurisdiction, department=department)
    device = TOTPDevice.objects.create(user=crew, name="phone", confirmed=True)

    def job(address, lon, lat, **kwargs):
        return ServiceRequestFactory(
            service_type=pothole,
            department=department,
            team=team,
            assignee=crew,
            address=address,
            location=Point(lon, lat, srid=4326),
            **kwargs,
        )

    # Far, near, middle (west to east from the crew): the route must go near, middle, far.
    jobs = {
        "far": job("1 Market St", -122.3950, 37.7940, description="Hole by the ferry"),
        "near": job("800 Great Hwy", -122.4840, 37.7700, description="Cover missing"),
        "middle": job("Stanyan & Fell", -122.4530, 37.7720, description="Sunken patch"),
    }
    return {"crew": crew, "device": device, "jobs": jobs}


def sign_in(page, live_server, shift):
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in/"))
    page.get_by_label("Username").fill("crew-ana")
    page.get_by_label("Password").fill(PASSWORD)
    device = shift["device"]
    page.get_by_label("Authenticator code").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/crew/$"))
    expect(page.locator("#main[data-ready=yes]")).to_be_attached()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "after.jpg"
    Image.new("RGB", (800, 600), "olive").save(path, format="JPEG")
    return path


def fix(page, sr, photo, note):
    card = page.locator(f"#job-{sr.public_id}")
    card.locator("summary", has_text="Fixed").click()
    card.get_by_label("Note for the requester (public)").fill(note)
    card.get_by_label("Photo after the fix").set_input_files(str(photo))
    card.get_by_role("button", name="Mark fixed").click()


def test_a_crew_fixes_two_requests_without_signal_and_each_is_resolved_once(
    page, live_server, shift, photo, screenshot
):  # noqa: F811
    sent = []
    page.on("request", lambda r: sent.append(f"{r.url} {r.post_data_buffer or b''!r}"))
    sign_in(page, live_server, shift)
    jobs = shift["jobs"]
    expect(page.locator(".job")).to_have_count(3)
    page.get_by_role("button", name="Order by route from where I stand").click()
    expect(page.locator("#main[data-routed=yes]")).to_be_attached()
    order = page.locator(".job").evaluate_all("nodes => nodes.map(n => n.dataset.id)")
    assert order == [jobs["near"].public_id, jobs["middle"].public_id, jobs["far"].public_id]
    expect(page.locator("#crew-map")).to_have_attribute("data-stops", "3")
    page.get_by_role("button", name="Start shift: keep today's work for offline").click()
    expect(page.locator("#shift-state")).to_contain_text("Kept for offline: 3 requests")
    assert violations(page) == []
    screenshot("crew-1-shift-390")

    page.context.set_offline(True)
    expect(page.locator("#connection")).to_contain_text("Offline")
    fix(page, jobs["near"], photo, "Cover replaced.")
    fix(page, jobs["middle"], photo, "Patched and rolled.")
    expect(page.locator("#outbox-state")).to_have_text("Actions waiting to be sent: 2")
    assert not StatusChange.objects.filter(new_status=Status.RESOLVED).exists()
    screenshot("crew-2-offline-waiting-390")
    # The page and its list come back from the phone's copy without signal.
    page.reload()
    expect(page.locator(".job")).to_have_count(3)
    expect(page.locator("#outbox-state")).to_have_text("Actions waiting to be sent: 2")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#outbox-state")).to_have_text("Everything is sent.", timeout=15_000)
    expect(page.locator(".job")).to_have_count(1)
    screenshot("crew-3-sent-390")
    page.get_by_role("button", name="Send now").click()
    page.wait_for_timeout(500)
    for key, note in (("near", "Cover replaced."), ("middle", "Patched and rolled.")):
        sr = jobs[key]
        sr.refresh_from_db()
        assert sr.status == Status.RESOLVED
        history = list(sr.status_changes.order_by("id").values_list("old_status", "new_status", "public_note"))
        assert history == [(Status.SUBMITTED, Status.IN_PROGRESS, ""), (Status.IN_PROGRESS, Status.RESOLVED, note)]
        assert Photo.objects.filter(service_request=sr, source=Photo.Source.AFTER).count() == 1
    assert CrewAction.objects.filter(outcome=CrewAction.Outcome.DONE).count() == 2
    everything = " ".join(sent)
    assert "37.7694" not in everything and "122.4862" not in everything and "122.486" not in everything


def test_a_request_closed_by_the_office_while_offline_is_shown_to_the_crew(page, live_server, shift, photo, screenshot):  # noqa: F811
    sign_in(page, live_server, shift)
    sr = shift["jobs"]["far"]
    page.get_by_role("button", name="Start shift: keep today's work for offline").click()
    expect(page.locator("#shift-state")).to_contain_text("Kept for offline")
    page.context.set_offline(True)
    fix(page, sr, photo, "Done.")
    expect(page.locator("#outbox-state")).to_have_text("Actions waiting to be sent: 1")
    office = UserFactory(username="office")
    sr.department.teams.first().members.add(office)
    set_status(sr, to=Status.IN_PROGRESS, by=office)
    set_status(sr, to=Status.RESOLVED, by=office, public_note="Fixed by the night shift.")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    conflict = page.locator("#conflicts li")
    expect(conflict).to_contain_text(f"{sr.public_id} was closed meanwhile (Resolved).", timeout=15_000)
    expect(page.locator("#outbox-state")).to_have_text("Everything is sent.")
    assert violations(page) == []
    screenshot("crew-4-conflict-390")
    assert StatusChange.objects.filter(service_request=sr, new_status=Status.RESOLVED).count() == 1
    assert not Photo.objects.filter(service_request=sr).exists()
    assert CrewAction.objects.get(service_request=sr).outcome == CrewAction.Outcome.CONFLICT
    # It stays in front of the crew until they dismiss it, reload or not.
    page.reload()
    expect(page.locator("#conflicts li")).to_have_count(1)
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#conflicts")).to_be_hidden()


@pytest.mark.parametrize("language, heading", [("en", "Today's work"), ("zh-hans", "今天的工作")])
@pytest.mark.parametrize("width", [320, 390, 1366])
def test_the_crew_page_is_accessible_in_both_languages_and_sizes(
    page,
    live_server,
    shift,
    screenshot,  # noqa: F811
    language,
    heading,
    width,
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, shift)
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".job")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(page) == []
    screenshot(f"crew-page-{language}-{width}")


# Everything the phone keeps: the service worker's caches and IndexedDB, read back as text.
READ_PHONE_STORAGE = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      kept.push(request.url + " " + await (await cache.match(request)).clone().text());
    }
  }
  const db = await new Promise((resolve) => {
    const r = indexedDB.open("civic311-crew", 1); r.onsuccess = () => resolve(r.result);
  });
  for (const name of db.objectStoreNames) {
    kept.push(JSON.stringify(await new Promise((resolve) => {
      const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => resolve(r.result); })));
  }
  return kept.join("\\n");
}"""


def test_a_crew_calls_a_requester_who_agreed_and_the_number_is_never_kept_for_offline(
    page, live_server, shift, with_contact, screenshot
):  # noqa: F811
    from contacts.models import AccessLog
    from contacts.purposes import Purpose

    jobs = shift["jobs"]
    jobs["near"].department.crew_may_call = True
    jobs["near"].department.save(update_fields=["crew_may_call"])
    with_contact(jobs["near"], Purpose.CREW_CALL, phone="+1 415 555 0199")
    with_contact(jobs["far"], Purpose.STATUS_UPDATES, phone="+1 415 555 0777")  # no consent to a crew call
    sign_in(page, live_server, shift)
    page.get_by_role("button", name="Start shift: keep today's work for offline").click()
    expect(page.locator("#shift-state")).to_contain_text("Kept for offline: 3 requests")
    near, far = page.locator(f"#job-{jobs['near'].public_id}"), page.locator(f"#job-{jobs['far'].public_id}")
    expect(far.get_by_role("button", name="Show phone to call")).to_have_count(0)
    assert "555" not in page.content() and not AccessLog.objects.exists()

    near.get_by_role("button", name="Show phone to call").click()
    expect(near.get_by_role("link", name="Call +1 415 555 0199")).to_have_attribute("href", "tel:+14155550199")
    assert [(log.user, log.purposes) for log in AccessLog.objects.all()] == [(shift["crew"], [Purpose.CREW_CALL])]
    assert violations(page) == []
    screenshot("crew-5-call-390")

    kept = page.evaluate(READ_PHONE_STORAGE)
    assert jobs["near"].public_id in kept  # the shortlist is kept...
    assert "555" not in kept and "Ana" not in kept and "example.org" not in kept  # ...and no contact detail with it


def test_without_signal_the_number_cannot_be_had_from_the_phones_copy(page, live_server, shift, with_contact):  # noqa: F811
    from contacts.models import AccessLog
    from contacts.purposes import Purpose

    near = shift["jobs"]["near"]
    near.department.crew_may_call = True
    near.department.save(update_fields=["crew_may_call"])
    with_contact(near, Purpose.CREW_CALL, phone="+1 415 555 0199")
    sign_in(page, live_server, shift)
    page.get_by_role("button", name="Start shift: keep today's work for offline").click()
    expect(page.locator("#shift-state")).to_contain_text("Kept for offline: 3 requests")
    page.context.set_offline(True)
    page.locator(f"#job-{near.public_id}").get_by_role("button", name="Show phone to call").click()
    expect(page.locator(f"#call-{near.public_id}")).to_contain_text("needs signal")
    assert "555" not in page.content() and not AccessLog.objects.exists()
