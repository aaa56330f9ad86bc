import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_sees_the_cities_and_can_switch_to_chinese(page, live_server, jurisdiction, screenshot):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="San Francisco").is_visible()
    screenshot("home-en")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "报告问题或申请服务"
    screenshot("home-zh")


def test_the_page_loads_nothing_from_outside_and_breaks_no_csp_rule(page, live_server, jurisdiction):
    outside, violations = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert outside == [] and violations == []
