import pytest

from contacts.models import AreaAlert
from tests.factories import AreaFactory, AreaLayerFactory, square

from .axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_asks_for_alerts_of_an_area_from_the_map_and_confirms_them(
    page, live_server, jurisdiction, screenshot
):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    AreaFactory(layer=layer, code="mission", name="Mission", boundary=square(-122.45, 37.75, 0.05))

    page.goto(f"{live_server.url}/map/{jurisdiction.slug}/")
    page.get_by_role("link", name="Alerts of new reports").click()
    page.get_by_label("Your email address").fill("neighbour@example.org")
    page.get_by_label("An area").select_option(label="Mission")
    assert violations(page) == []
    screenshot("area-alerts-form")
    page.get_by_role("button", name="Send me the confirmation link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    alert = AreaAlert.objects.get()
    assert alert.confirmed_at is None and alert.area.code == "mission"
    page.goto(f"{live_server.url}/alerts/confirm/{alert.token}/")
    page.get_by_role("button", name="Confirm the alert").click()
    page.get_by_text("Your alert is on.").wait_for()
    alert.refresh_from_db()
    assert alert.confirmed_at is not None
