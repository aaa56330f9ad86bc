"""The staff workspace at a desk (1366x900) and on a phone (390 px) in Debian's Chromium: the queue on the first
screen, ids whole, sortable columns, search by part of an id, bulk for team staff, the request page with its map
and actions above the fold, keyboard shortcuts, and axe-core on every staff page in both languages."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from frontend.staff.models import ResponseTemplate
from requests_app.statuses import Status
from tests.browser.axe import violations
from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (shared browser fixtures)
from tests.factories import QuestionFactory, ServiceRequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
SIZES = [(1366, 900), (390, 844)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "en-US"}


@pytest.fixture
def desk(jurisdiction, department, team, pothole):
    jurisdiction.timezone = "America/Los_Angeles"
    jurisdiction.languages = ["en", "zh-hans"]
    jurisdiction.save()
    clerk = UserFactory(username="clerk")
    team.members.add(clerk)
    QuestionFactory(
        service_type=pothole,
        code="kind",
        description="What is wrong?",
        datatype="singlevaluelist",
        values=[
            {"key": "manhole_cover_off", "name": "Manhole cover off", "name_translations": {"zh-hans": "井盖缺失"}}
        ],
    )
    now = timezone.now()

    def make(**kwargs):
        return ServiceRequestFactory(
            service_type=pothole,
            department=department,
            team=team,
            location=Point(-122.4194, 37.7749, srid=4326),
            **kwargs,
        )

    backlog = [make(address=f"{n} Old Rd", submitted_at=now.replace(year=2011) + timedelta(days=n)) for n in range(30)]
    fresh = make(
        address="12 Elm St",
        answers={"kind": "manhole_cover_off"},
        submitted_at=now - timedelta(hours=1),
        description="Cover gone near the school",
        expected_at=now + timedelta(hours=5),
    )
    late = make(
        address="3 Pine St",
        submitted_at=now - timedelta(days=3),
        expected_at=now - timedelta(hours=2),
        status=Status.ACKNOWLEDGED,
    )
    ResponseTemplate.objects.create(
        jurisdiction=jurisdiction,
        status=Status.ACKNOWLEDGED,
        language="en",
        name="Seen",
        text="{public_id}: we have your {service} report, due {due}.",
    )
    return {"fresh": fresh, "late": late, "backlog": backlog}


def sign_in(page, live_server):
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in/"))
    # Every staff member signs in with a second factor: the clerk's authenticator gives the code.
    device = TOTPDevice.objects.get_or_create(
        user=User.objects.get(username="clerk"), name="phone", defaults={"confirmed": True}
    )[0]
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def one_line(locator) -> bool:
    return locator.evaluate("n => n.getClientRects().length === 1 && n.getBoundingClientRect().height < 30")


@pytest.mark.parametrize("width, height", SIZES)
def test_the_queue_shows_new_work_on_the_first_screen_whole_and_sortable(
    page,
    live_server,
    desk,
    screenshot,  # noqa: F811
    width,
    height,
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server)
    first = page.locator("table.queue tbody tr").first
    expect(first).to_contain_text(desk["fresh"].public_id)  # newest open work first, not 2011
    box = first.bounding_box()
    assert box["y"] + box["height"] < height  # requests on the first screen, at a desk
    if width == 1366:  # and on a phone
        assert page.locator("table.queue").bounding_box()["width"] > 1100  # not squeezed into 920 px
    else:  # the filter bar waits behind its toggle
        expect(page.get_by_label("Search")).to_be_hidden()
        expect(page.locator("#filter-panel > summary")).to_have_text("Filters (0)")
    for link in page.locator("table.queue td.id a").all()[:5]:
        assert one_line(link)  # ids never break mid-word
    expect(page.locator("tr.overdue")).to_have_count(1)
    expect(page.locator("tr.due-soon")).to_have_count(1)
    expect(page.locator("#time-zone")).to_have_text("Times in America/Los_Angeles")
    assert violations(page) == []
    screenshot(f"staff-queue-{width}")

    page.locator("table.queue th", has_text="Due").get_by_role("link").click()
    expect(page.locator("table.queue th[aria-sort=ascending]")).to_have_text(re.compile("Due"))
    expect(page.locator("table.queue tbody tr").first).to_contain_text(desk["late"].public_id)
    page.locator("table.queue th", has_text="Age").get_by_role("link").click()
    expect(page.locator("table.queue th[aria-sort=ascending]")).to_have_text(re.compile("Age"))
    page.locator("table.queue th", has_text="Age").get_by_role("link").click()  # again: oldest first
    expect(page.locator("table.queue tbody tr").first).to_contain_text(desk["backlog"][0].public_id)

    if width == 390:
        page.locator("#filter-panel > summary").click()
    page.get_by_label("Search").fill(desk["fresh"].public_id[2:6].lower())
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    if width == 390:
        expect(page.locator("#filter-panel > summary")).to_have_text("Filters (1)")
        page.locator("#filter-panel > summary").click()
    page.get_by_label("Search").fill("school cover")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    expect(page.locator("table.queue tbody tr")).to_contain_text(desk["fresh"].public_id)


def test_team_staff_acknowledge_in_bulk_and_hear_which_rows_were_refused(page, live_server, desk, screenshot):  # noqa: F811
    sign_in(page, live_server)
    page.get_by_label(f"Select {desk['fresh'].public_id}").check()
    page.get_by_label(f"Select {desk['late'].public_id}").check()
    page.get_by_label("Action").select_option("acknowledge")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("1 requests changed.")
    expect(page.locator(".messages")).to_contain_text(f"{desk['late'].public_id} not changed")
    assert violations(page) == []
    screenshot("staff-bulk-refused-1366")
    desk["fresh"].refresh_from_db()
    assert desk["fresh"].status == Status.ACKNOWLEDGED


@pytest.mark.parametrize("width, height", SIZES)
def test_the_request_page_has_summary_map_and_actions_above_the_fold(
    page,
    live_server,
    desk,
    screenshot,  # noqa: F811
    width,
    height,
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server)
    sr = desk["fresh"]
    page.goto(f"{live_server.url}/staff/requests/{sr.public_id}/")
    expect(page.locator("#request-map.loaded")).to_be_attached()
    if width == 1366:
        for selector in ("#status", "#request-map", "#status-form button"):
            box = page.locator(selector).bounding_box()
            assert box["y"] + box["height"] < height, selector
    answers = page.locator("dl.answers")
    expect(answers).to_contain_text("What is wrong?")
    expect(answers).to_contain_text("Manhole cover off")
    expect(page.locator("main")).not_to_contain_text("manhole_cover_off")
    expect(page.locator("#history-panel")).not_to_have_attribute("open", "")
    expect(page.locator("#due")).to_contain_text(re.compile(r"P[SD]T"))
    assert violations(page) == []
    screenshot(f"staff-request-{width}")

    page.locator("body").press("m")  # keyboard: assign to me
    expect(page.locator("#assignee")).to_have_text("clerk")
    page.locator("body").press("r")
    expect(page.locator("#response-template")).to_be_focused()
    page.locator("#response-template").select_option(label="Seen")
    expect(page.locator("#status_public_note")).to_have_value(re.compile(rf"^{sr.public_id}: we have your Pothole"))
    page.evaluate("document.activeElement.blur()")
    page.locator("body").press("h")
    expect(page.locator("#history-panel")).to_have_attribute("open", "")


@pytest.mark.parametrize("width, height", SIZES)
def test_staff_pages_pass_axe_in_chinese(page, live_server, desk, screenshot, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert violations(page) == []
    screenshot(f"staff-queue-zh-{width}")
    page.goto(f"{live_server.url}/staff/requests/{desk['fresh'].public_id}/")
    expect(page.locator("dl.answers")).to_contain_text("井盖缺失")
    assert violations(page) == []
    screenshot(f"staff-request-zh-{width}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width, height", SIZES)
def test_the_sign_in_page_passes_axe(page, live_server, screenshot, language, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/staff/sign-in/")
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    assert violations(page) == []
    screenshot(f"staff-sign-in-{language}-{width}")


def test_on_the_narrowest_phone_the_queue_and_a_request_fit_the_screen(page, live_server, desk, screenshot):  # noqa: F811
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server)
    assert page.locator("table.queue tbody tr").first.bounding_box()["y"] < 640
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing pushes the page sideways
    assert violations(page) == []
    screenshot("staff-queue-320")
    page.goto(f"{live_server.url}/staff/requests/{desk['fresh'].public_id}/")
    expect(page.locator("#request-map.loaded")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert violations(page) == []
    screenshot("staff-request-320")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_two_factor_set_up_passes_axe(page, live_server, team, screenshot, language):  # noqa: F811
    team.members.add(UserFactory(username="newcomer"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/staff/sign-in/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/two-factor/$"))  # no queue before an authenticator
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("figure.qr svg")).to_be_visible()
    assert violations(page) == []
    screenshot(f"staff-two-factor-{language}-390")
