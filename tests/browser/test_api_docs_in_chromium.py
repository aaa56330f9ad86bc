"""The API documentation page works in Chromium under the strict Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_swagger_ui_lists_the_open311_operations_without_a_csp_violation(page, live_server, width, screenshot):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/api/docs/")
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 8
    assert page.get_by_text("/open311/v2/requests.{fmt}").first.is_visible()
    scripts = [e for e in blocked if "script" in e.lower()]
    assert scripts == []
    screenshot(f"api-docs-{width}")
