import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_each_jurisdiction_with_its_open_count(client, jurisdiction):
    response = client.get("/")
    assert response.status_code == 200
    assert "San Francisco" in response.content.decode()


def test_the_home_page_speaks_chinese_when_the_browser_asks_for_it(client, jurisdiction):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response["Content-Language"] == "zh-hans"
    assert "报告问题或申请服务" in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client, jurisdiction):
    csp = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_the_home_page_links_each_city_to_its_map_statistics_and_open_data(client, jurisdiction):
    page = client.get("/").content.decode()
    for path in ("/map/sf.example/", "/stats/sf.example/", "/open-data/sf.example/", "/sf.example/report/"):
        assert f'href="{path}"' in page
