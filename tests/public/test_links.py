"""A link checker over every public page: each internal link, script and stylesheet answers, nothing is a 404."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.contrib.staticfiles import finders

from frontend.public.stats import refresh_statistics
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "link", "script", "img"):
                self.found.append(attrs[name])


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


@pytest.fixture
def city(jurisdiction, pothole, noise, mission, staff):
    sr = ServiceRequestFactory(service_type=pothole, location=Point(-122.42, 37.76, srid=4326), description="Deep hole")
    change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="A crew is booked")
    ServiceRequestFactory(service_type=noise, location=Point(-122.421, 37.761, srid=4326))
    refresh_statistics(jurisdiction)
    return sr


def _public_pages(jurisdiction, sr) -> list[str]:
    slug = jurisdiction.slug
    return [
        "/",
        f"/{slug}/report/",
        f"/{slug}/report/pothole/",
        f"/map/{slug}/",
        f"/stats/{slug}/",
        f"/open-data/{slug}/",
        f"/requests/{sr.public_id}/",
        "/api/docs/",
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_internal_link_on_every_public_page_answers(client, jurisdiction, city, language):
    client.cookies["django_language"] = language
    broken, checked = [], set()
    for page in _public_pages(jurisdiction, city):
        response = client.get(page)
        assert response.status_code == 200, page
        for link in _links(response.content.decode()):
            url = urljoin(page, link)
            parts = urlsplit(url)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver") or url in checked:
                continue  # outside links are checked by nobody's test run; this site links to none
            checked.add(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith("/static/"):
                if not finders.find(parts.path.removeprefix("/static/")):
                    broken.append((page, url))
                continue
            status = client.get(path).status_code
            if status != 200:
                broken.append((page, url, status))
    assert broken == []
    assert any("/open311/v2/services.json" in url for url in checked)  # the open-data page's API link
    assert len(checked) > 30
