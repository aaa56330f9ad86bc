import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from frontend.public.stats import refresh_statistics
from requests_app.models import Jurisdiction, ServiceRequest
from tests.browser.axe import violations as violations_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", sf_rows=300, no_accounts=True, stdout=io.StringIO())
    return "sfgov.org"


def _shown(page) -> int:
    # Locators rather than wait_for_function: our CSP forbids the eval() that a string predicate needs.
    page.locator("#map[aria-busy='false']").wait_for(state="attached")
    return int(page.get_attribute("#map", "data-shown"))


def _drawn(page, layer: str) -> list[dict]:
    """The properties of what MapLibre drew in one layer of the map, as it reports it."""
    return page.evaluate(
        "layer => window.civicMap.queryRenderedFeatures({layers: [layer]}).map(f => f.properties)", layer
    )


def _without_webgl(page):
    # As in a browser without WebGL (or with it switched off): no WebGL context to be had.
    page.add_init_script(
        "const getContext = HTMLCanvasElement.prototype.getContext;"
        "HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {"
        "  return kind.startsWith('webgl') ? null : getContext.call(this, kind, ...rest); };"
    )


def _recent_open(slug):
    newest = ServiceRequest.objects.filter(jurisdiction__slug=slug).latest("submitted_at").submitted_at
    return (
        ServiceRequest.objects.filter(jurisdiction__slug=slug)
        .open()
        .exclude(location=None)
        .filter(submitted_at__date__gte=(newest - timedelta(days=91)).date())
    )


def test_the_map_opens_on_recent_open_requests_and_widens_with_the_filters(page, live_server, demo_city, screenshot):
    outside, violations = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server.url}/map/{demo_city}/")
    assert page.get_by_label("Status").input_value() == "open"
    assert page.get_by_label("From").input_value() != ""
    recent = _shown(page)
    assert _drawn(page, "area-outline") and _drawn(page, "clusters")  # drawn with WebGL, from vector tiles
    assert abs(recent - _recent_open(demo_city).count()) <= 1  # the date cut is a local day
    assert recent < ServiceRequest.objects.filter(jurisdiction__slug=demo_city).open().count()
    screenshot("public-map-1366")

    page.get_by_label("Status").select_option("")
    page.get_by_label("From").fill("")
    page.get_by_label("From").dispatch_event("change")
    expect(page.locator("#map")).not_to_have_attribute("data-shown", str(recent))
    everything = _shown(page)
    assert everything == ServiceRequest.objects.filter(jurisdiction__slug=demo_city).exclude(location=None).count()
    assert outside == [] and violations == []


def test_closed_is_offered_once_among_the_status_filters(page, live_server, demo_city):
    page.goto(f"{live_server.url}/map/{demo_city}/")
    labels = [t.strip() for t in page.locator("select[name=status] option").all_text_contents()]
    assert labels.count("Closed") == 1 and "Open" in labels and "In progress" in labels


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_a_clicked_request_opens_its_card_where_the_eye_is_without_sideways_scrolling(
    page, live_server, demo_city, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 740})
    sr = _recent_open(demo_city).filter(service_type__sensitive=False).first()
    page.goto(f"{live_server.url}/map/{demo_city}/#19/{sr.location.y}/{sr.location.x}")
    _shown(page)
    assert sr.public_id in {p["public_id"] for p in _drawn(page, "points")}
    x, y = page.evaluate("c => { const p = window.civicMap.project(c); return [p.x, p.y]; }", list(sr.location.coords))
    page.locator("#map canvas").click(position={"x": x, "y": y})
    card = page.locator("#card")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Open the request page")).to_have_attribute(
        "href", re.compile(r"^/requests/[0-9A-Z-]+/$")
    )
    box = card.bounding_box()
    assert 0 <= box["y"] < 740 and box["x"] >= 0 and box["x"] + min(box["width"], 100) <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"public-map-card-{width}")


@pytest.mark.parametrize("width", [320, 1366])
def test_the_list_shows_what_the_map_shows_and_opens_the_same_card(page, live_server, demo_city, width):
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{live_server.url}/map/{demo_city}/")
    items = page.locator("#request-list .list-item")
    expect(items.first).to_be_visible() if width > 1000 else items.first.wait_for(state="attached")
    assert items.count() == min(_shown(page), 50)
    first = items.first.locator("strong").inner_text()
    items.first.click()
    expect(page.locator("#card h2")).to_have_text(first)
    assert violations_of(page) == []


@pytest.mark.parametrize("width", [320, 1366])
def test_without_webgl_the_list_shows_the_requests_and_opens_their_cards(
    page, live_server, demo_city, width, screenshot
):
    _without_webgl(page)
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{live_server.url}/map/{demo_city}/")
    expect(page.locator(".no-map-note")).to_contain_text("WebGL")
    items = page.locator("#request-list .list-item")
    items.first.wait_for(state="attached")
    assert 0 < items.count() <= 50
    if width < 900:
        page.locator("#filters summary").click()  # folded under the list on a phone
    page.get_by_label("Status").select_option("closed")
    expect(items.first.locator(".badge")).to_have_class(re.compile("closed"))
    first = items.first.locator("strong").inner_text()
    items.first.click()
    expect(page.locator("#card h2")).to_have_text(first)
    assert violations_of(page) == []
    screenshot(f"public-map-no-webgl-{width}")


def test_filters_are_folded_on_a_phone_and_open_beside_the_map_on_a_desktop(page, live_server, demo_city):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/map/{demo_city}/")
    expect(page.locator("#filters")).not_to_have_attribute("open", "")
    assert page.locator("#map").bounding_box()["height"] > 400
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server.url}/map/{demo_city}/")
    expect(page.locator("#filters")).to_have_attribute("open", "")


def test_the_statistics_page_draws_its_charts(page, live_server, demo_city, screenshot):
    refresh_statistics(Jurisdiction.objects.get(slug=demo_city))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/stats/{demo_city}/")
    chart = page.locator("#per-type svg.bar-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() > 3 and chart.bounding_box()["width"] > 200
    assert page.locator("svg.bar-chart").count() >= 6
    screenshot("public-stats")


CENTRELINES = Path(__file__).parent.parent / "requests_app" / "data" / "centrelines.geojson"


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_the_map_draws_the_citys_own_streets_under_the_requests_and_names_them(
    page, live_server, demo_city, width, screenshot, settings
):
    settings.CIVIC311_MAP_TILE_URL = ""
    call_command("import_streets", str(CENTRELINES), jurisdiction=demo_city, stdout=io.StringIO())
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/map/{demo_city}/?status=#17/37.7648/-122.4193")
    _shown(page)
    assert _drawn(page, "street-line")
    assert "MISSION ST" in {p["name"] for p in _drawn(page, "street-label")}
    # The streets lie under the requests: their layers come first in the map's style.
    order = page.evaluate("window.civicMap.getStyle().layers.map(l => l.id)")
    assert order.index("street-label") < order.index("clusters") < order.index("points")
    screenshot(f"public-map-streets-{width}")
    assert outside == []
