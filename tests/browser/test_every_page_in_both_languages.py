"""Every public and resident page, in English and Chinese, on a small phone, a phone and a desktop: axe-clean,
no sideways scrolling, no raw codes; the screenshots are the README's tour."""

import pytest
from django.contrib.gis.geos import Point

from contacts.purposes import Purpose
from contacts.services import ContactDetails
from frontend.public.stats import refresh_statistics
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Status
from tests.factories import AreaFactory, AreaLayerFactory, ServiceRequestFactory, ServiceTypeFactory, square

from .axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAW_CODES = ("status_changed", "in_progress", "not_ours", "status_updates")


@pytest.fixture
def city(jurisdiction, pothole, staff):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    AreaFactory(
        layer=layer, name="Mission", name_translations={"zh-hans": "米慎区"}, boundary=square(-122.43, 37.75, 0.03)
    )
    pothole.name_translations = {"zh-hans": "道路坑洼"}
    pothole.description, pothole.description_translations = "A hole in the road.", {"zh-hans": "道路上的坑洞。"}
    pothole.save()
    noise = ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="noise",
        name="Noise",
        sensitive=True,
        name_translations={"zh-hans": "噪音"},
        description="Loud music or machinery.",
        description_translations={"zh-hans": "音乐或机器噪音。"},
    )
    mine = submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.4194, 37.7600, srid=4326),
            address="2000 Mission St",
            description="Deep hole in the bike lane, a danger for cyclists at night",
            contact=ContactDetails(
                email="ana@example.org", language="en", purposes=frozenset({Purpose.STATUS_UPDATES})
            ),
        )
    )
    change_status(mine, to=Status.ACKNOWLEDGED, by=staff, public_note="A crew is booked for Thursday")
    ServiceRequestFactory(service_type=noise, location=Point(-122.421, 37.761, srid=4326))
    for i in range(6):
        ServiceRequestFactory(service_type=pothole, location=Point(-122.41 - i * 0.002, 37.755, srid=4326))
    refresh_statistics(jurisdiction)
    return mine


def _pages(sr):
    slug = sr.jurisdiction.slug
    return {
        "home": "/",
        "pick-service": f"/{slug}/report/",
        "report": f"/{slug}/report/pothole/",
        "filed": f"/track/{sr.tracking_token}/filed/",
        "track": f"/track/{sr.tracking_token}/",
        "data": f"/track/{sr.tracking_token}/data/",
        "public-request": f"/requests/{sr.public_id}/",
        "map": f"/map/{slug}/",
        "stats": f"/stats/{slug}/",
        "open-data": f"/open-data/{slug}/",
    }


@pytest.mark.parametrize("width", [320, 390, 1366])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_is_accessible_fits_the_screen_and_speaks_the_language(
    page, live_server, city, language, width, screenshot
):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 800})
    problems = {}
    for name, path in _pages(city).items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found = violations(page)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            found.append("scrolls sideways")
        text = page.locator("body").inner_text()
        if name != "open-data":  # its data dictionary documents the codes the downloads carry
            found += [f"raw code {code}" for code in RAW_CODES if code in text]
        if "Wording version" in text:
            found.append("shows the wording version")
        if language == "zh-hans" and name != "home" and ("Report a problem" in text or "Statistics" in text):
            found.append("English left in the Chinese page")
        if found:
            problems[name] = found
        screenshot(f"tour-{name}-{language}-{width}")
    assert problems == {}
