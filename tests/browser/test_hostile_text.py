"""Script, HTML, attribute-breaking and SQL text in every free-text field, filed through the resident form,
Open311 and staff notes, then every page that shows it opened in Chromium: nothing runs, the CSP is never
violated, the layout holds, and the text is stored exactly as sent."""

import pytest
from django.conf import settings
from django.test import Client

from contacts.models import Contact
from open311.services import create_api_key
from requests_app.models import ServiceRequest
from requests_app.statuses import Status
from staffing import services as staff_services
from tests.factories import tracking_token_for
from tests.frontend.conftest import streetlight  # noqa: F401  (a fixture: a type with a free-text question)
from tests.staff.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every payload, if it ever ran, sets window.__pwned or opens a dialog; an element that escaped has id=injected.
PAYLOAD = (
    '<script>window.__pwned=1</script>"><img src=x id=injected onerror="window.__pwned=1;alert(1)">'
    "'><svg id=injected onload=alert(2)></textarea></main><b id=injected style=position:fixed;inset:0>"
    'x</b>" autofocus onfocus="alert(3)" \'; DROP TABLE requests_app_servicerequest; -- {{ 7*7 }} '
    "javascript:alert(4)"
)
LONG_WORD = "W" * 120  # one unbreakable word must wrap, not push the page sideways


def text(limit=None):
    return (PAYLOAD + " " + LONG_WORD)[:limit]


@pytest.fixture
def filed(jurisdiction, streetlight, department, team, staff):  # noqa: F811
    resident = Client(HTTP_ACCEPT="application/json")
    form = resident.post(
        "/sf.example/report/streetlight/",
        {
            "description": text(),
            "address": text(300),
            "lat": "37.78",
            "lon": "-122.41",
            "q_pole": text(),
            "q_notes": text(),
            "q_state": "dark",
            "first_name": text(100),
            "last_name": text(100),
            "email": "resident@example.org",
            "purposes": ["status_updates"],
        },
    )
    assert form.status_code == 201, form.content
    key = create_api_key(application="Hostile", jurisdiction=jurisdiction)[1]
    api = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "streetlight",
            "lat": "37.781",
            "long": "-122.411",
            "description": text(),
            "address_string": text(300),
            "attribute[pole]": text(),
            "attribute[notes]": text(),
            "attribute[state]": "dark",
            "first_name": text(100),
            "last_name": text(100),
            "email": "other@example.org",
            "email_alerts_requested": "true",
        },
    )
    assert api.status_code == 200, api.content
    ServiceRequest.objects.update(department=department, team=team)
    for sr in ServiceRequest.objects.all():
        staff_services.set_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note=text(), internal_note=text())
    filed = list(ServiceRequest.objects.order_by("pk"))
    for sr in filed:
        tracking_token_for(sr)  # the rows keep only digests; the pages are opened by fresh links
    return filed


def watch(page):
    seen = {"dialogs": [], "csp": [], "errors": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: seen["csp"].append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def assert_held(page, seen, url):
    page.wait_for_load_state("load")
    assert seen == {"dialogs": [], "csp": [], "errors": []}, url
    assert page.evaluate("window.__pwned") is None, url
    assert page.locator("#injected").count() == 0, url
    assert page.get_by_role("main").count() == 1, url
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (url, width)


def test_hostile_text_runs_nowhere_and_breaks_no_page(page, live_server, filed, staff, screenshot):
    seen = watch(page)
    pages = []
    for sr in filed:
        pages += [f"/track/{sr.tracking_token}/", f"/requests/{sr.public_id}/"]
    pages += ["/map/sf.example/", "/stats/sf.example/", "/open-data/sf.example/"]
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_held(page, seen, path)
    screenshot("hostile-text-tracking")

    # The map card is drawn from JSON with textContent: fetch it in the page and check it arrives as text.
    page.goto(live_server.url + "/map/sf.example/")
    for sr in filed:
        card = page.evaluate("url => fetch(url).then(r => r.json())", f"/map/sf.example/cards/{sr.public_id}.json")
        assert card["public_id"] == sr.public_id
    assert_held(page, seen, "map card")

    for path in [
        "/open-data/sf.example/requests.csv",
        "/open-data/sf.example/requests.geojson",
        "/feeds/sf.example/types/streetlight/rss/",
        "/feeds/sf.example/types/streetlight/atom/",
    ]:
        response = page.request.get(live_server.url + path)
        assert response.ok and "html" not in response.headers["content-type"], path
        assert response.headers["x-content-type-options"] == "nosniff"
        if "/feeds/" in path:  # XML: the text is escaped; CSV and GeoJSON carry it as data, never as markup
            assert "<script>" not in response.text(), path

    staff_client = Client()
    sign_in(staff_client, staff)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": live_server.url,
                "value": staff_client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )
    for path in ["/staff/"] + [f"/staff/requests/{sr.public_id}/" for sr in filed]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_held(page, seen, path)
    screenshot("hostile-text-staff-request")


def test_sql_in_every_field_is_stored_as_text_and_harms_no_table(filed):
    assert ServiceRequest.objects.count() == 2
    for sr in filed:
        assert sr.description == text() and sr.address == text(300)
        assert sr.answers["notes"] == text()
        assert sr.status_changes.filter(public_note=text(), internal_note=text()).count() == 1
    assert sorted(Contact.objects.values_list("first_name", flat=True)) == [text(100)] * 2
