import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from frontend.public.stats import refresh_statistics
from requests_app.models import Jurisdiction, ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", sf_rows=300, no_accounts=True, stdout=io.StringIO())
    return "sfgov.org"


def _shown(page) -> int:
    # Locators rather than wait_for_function: our CSP forbids the eval() that a string predicate needs.
    page.locator("#map[aria-busy='false']").wait_for(state="attached")
    return int(page.get_attribute("#map", "data-shown"))


def test_the_map_shows_the_demo_city_filters_it_and_opens_a_card(page, live_server, demo_city, screenshot):
    outside, violations = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/map/{demo_city}/")
    expect(page.locator(".cluster").first).to_be_visible()
    expect(page.locator("path.area-outline").first).to_be_attached()
    everything = _shown(page)
    assert everything == ServiceRequest.objects.filter(jurisdiction__slug=demo_city).exclude(location=None).count()
    screenshot("public-map-city")

    page.get_by_label("Status").select_option("open")
    expect(page.locator("#map")).not_to_have_attribute("data-shown", str(everything))
    open_count = _shown(page)
    assert open_count == ServiceRequest.objects.filter(jurisdiction__slug=demo_city).open().exclude(location=None).count()
    assert 0 < open_count < everything
    assert "status=open" in page.url
    screenshot("public-map-open-only")

    sr = ServiceRequest.objects.filter(jurisdiction__slug=demo_city, service_type__sensitive=False).open() \
        .exclude(location=None).first()
    page.goto(f"{live_server.url}/map/{demo_city}/?status=open#19/{sr.location.y}/{sr.location.x}")
    point = page.locator("path.req").first
    expect(point).to_be_visible()
    point.click()
    card = page.locator("#card")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Open the request page")).to_have_attribute("href", re.compile(r"^/requests/[0-9A-Z-]+/$"))
    assert " · " in card.locator("h2").inner_text()
    screenshot("public-map-card")
    assert outside == [] and violations == []


def test_the_statistics_page_draws_its_charts(page, live_server, demo_city, screenshot):
    refresh_statistics(Jurisdiction.objects.get(slug=demo_city))
    page.goto(f"{live_server.url}/stats/{demo_city}/")
    chart = page.locator("#per-type svg.bar-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() > 3 and chart.bounding_box()["width"] > 200
    assert page.locator("svg.bar-chart").count() >= 6
    screenshot("public-stats")
