"""What a webhook says about a request: ids and the public fields the public outputs show, nothing more.

The request's fields come from the Open311 public selector, so they are masked and coarsened exactly as on the
public API (sensitive types snapped to a grid, emails and phone numbers written into text removed).
"""

from django.conf import settings
from django.utils import translation

from open311_format.records import request_payloads
from requests_app.models import Jurisdiction


def absolute_url(path: str) -> str:
    return settings.CIVIC311_SITE_URL.rstrip("/") + path if path.startswith("/") else path


def public_request_data(service_requests) -> dict[int, dict]:
    """The public data of each request, by its pk, read inside the caller's transaction."""
    by_jurisdiction: dict[int, list] = {}
    for sr in service_requests:
        by_jurisdiction.setdefault(sr.jurisdiction_id, []).append(sr)
    data = {}
    for jurisdiction in Jurisdiction.objects.filter(pk__in=by_jurisdiction):
        srs = by_jurisdiction[jurisdiction.pk]
        with translation.override(jurisdiction.default_language):
            public = {
                p["service_request_id"]: p
                for p in request_payloads(
                    jurisdiction,
                    {"service_request_id": [sr.public_id for sr in srs], "page_size": len(srs)},
                    absolute_url,
                )
            }
        for sr in srs:
            data[sr.pk] = {
                "jurisdiction_id": jurisdiction.slug,
                "service_request_id": sr.public_id,
                "status": sr.status,
                "department": public[sr.public_id]["agency_responsible"],
                "request": public[sr.public_id],
            }
    return data
