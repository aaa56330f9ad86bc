"""Weight budget of the resident pages: what a phone downloads for the first page, gzip-compressed, without map
tiles (there are none by default) but with the area outlines the form's map fetches. Compared with the 200 KB
budget and with a bare Django page (the admin login with its own CSS and JS), measured the same way in the same run.
Also the server time to render the filing form next to the time to render that bare page, and the place search
(areas and request addresses, no outside geocoder) next to the same trigram-indexed SQL run raw."""

import gzip
import re

from bench.figures import Figure, percentiles, timed_ms

BUDGET_KB = 200
ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="(/static/[^"]+)"')


def _gzip_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=6)) / 1024


def _asset_bytes(url: str) -> bytes:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    with open(path, "rb") as f:
        return f.read()


def page_weight_kb(client, url: str, extra_urls: tuple[str, ...] = ()) -> float:
    """The gzip weight of a page, the static files it links and the data it fetches at once."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    total = _gzip_kb(html) + sum(_gzip_kb(_asset_bytes(asset)) for asset in set(ASSET.findall(html.decode())))
    return total + sum(_gzip_kb(client.get(extra).content) for extra in extra_urls)


def run(jurisdiction_id) -> list[Figure]:
    from django.test import Client

    from requests_app.models import Jurisdiction, ServiceType

    client = Client()
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    service_type = ServiceType.objects.filter(jurisdiction=jurisdiction, active=True, stops_filing=False).first()
    bare = page_weight_kb(client, "/admin/login/")
    pages = {
        "home page": ("/", ()),
        "service picker": (f"/{jurisdiction.slug}/report/", ()),
        "form+map+outlines": (f"/{jurisdiction.slug}/report/{service_type.code}/", (f"/{jurisdiction.slug}/areas/",)),
    }
    figures = []
    for name, (url, extra) in pages.items():
        weight = page_weight_kb(client, url, extra)
        figures.append(
            Figure(
                "frontend_budget",
                f"{name} gzip KB (budget)",
                weight,
                BUDGET_KB,
                "KB",
                higher_is_better=False,
                baseline_name="budget",
            )
        )
        figures.append(
            Figure(
                "frontend_budget",
                f"{name} gzip KB (bare)",
                weight,
                bare,
                "KB",
                higher_is_better=False,
                baseline_name="bare",
            )
        )
    form_url = pages["form+map+outlines"][0]
    form_p50, _ = percentiles(timed_ms(lambda: client.get(form_url), 50))
    bare_p50, _ = percentiles(timed_ms(lambda: client.get("/admin/login/"), 50))
    figures.append(
        Figure(
            "frontend_budget",
            "filing form render p50",
            form_p50,
            bare_p50,
            "ms",
            higher_is_better=False,
            baseline_name="bare",
        )
    )
    figures.append(_place_search(jurisdiction))
    return figures


def _place_search(jurisdiction) -> Figure:
    from django.db import connection

    from frontend.selectors import places_matching

    words = ["address 12345", "address 777", "address 4242", "address 90210"]
    search_p50, _ = percentiles(
        timed_ms(lambda: [places_matching(jurisdiction=jurisdiction, query=word) for word in words], 20)
    )

    def raw():
        with connection.cursor() as cursor:
            for word in words:
                cursor.execute(
                    "SELECT DISTINCT address FROM requests_app_servicerequest WHERE jurisdiction_id = %s "
                    "AND address ~* %s ORDER BY address LIMIT 8",
                    [jurisdiction.pk, word],
                )
                cursor.fetchall()

    raw_p50, _ = percentiles(timed_ms(raw, 20))
    return Figure(
        "frontend_budget",
        "place search p50 (4 queries)",
        search_p50,
        raw_p50,
        "ms",
        higher_is_better=False,
        baseline_name="raw SQL",
    )
