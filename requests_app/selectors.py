"""Reads for one screen or endpoint each; they own select_related/only."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from config.config_cache import cached

from .models import Jurisdiction, ServiceRequest, ServiceType
from .public_location import GRID_DEGREES, coarsen
from .statuses import OPEN_STATUSES


def jurisdictions_overview():
    """Each jurisdiction with its count of open and all requests, for the landing page."""
    return Jurisdiction.objects.annotate(
        open_count=Count("requests", filter=Q(requests__status__in=OPEN_STATUSES)),
        request_count=Count("requests"),
    ).order_by("slug")


def nearby_open_requests(*, service_type, point, metres: float = 150, days: int = 30, exclude_id=None, limit: int = 10):
    """Open requests of the same type near a point and recent enough to be the same problem.

    Used by the resident form ("already reported?") and by routing to link possible duplicates.
    """
    since = timezone.now() - timedelta(days=days)
    qs = (
        ServiceRequest.objects.open()
        .filter(service_type=service_type, submitted_at__gte=since)
        .near(point, metres)
        .annotate(distance=Distance("location", point))
        .order_by("distance", "pk")
        .select_related("service_type")
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs[:limit]


def nearby_open_requests_in_cell(*, service_type, point, days: int = 30, limit: int = 10) -> list[ServiceRequest]:
    """For a sensitive type: open requests published in the same grid cell as ``point``, newest first.

    Nothing is measured from or ordered by the exact point, so probing from many places learns no more than
    the cell every public output already shows.
    """
    cell = coarsen(point)
    margin = GRID_DEGREES  # the index narrows by a box a little wider than the cell; coarsen() decides
    box = Polygon.from_bbox((cell.x - margin, cell.y - margin, cell.x + margin, cell.y + margin))
    box.srid = 4326
    since = timezone.now() - timedelta(days=days)
    candidates = (
        ServiceRequest.objects.open()
        .filter(service_type=service_type, submitted_at__gte=since, location__bboverlaps=box)
        .order_by("-submitted_at", "-id")
        .select_related("service_type")
    )
    return [sr for sr in candidates if coarsen(sr.location) == cell][:limit]


@dataclass
class NearbyProbe:
    """One "what is open nearby?" question of nearby_open_requests_for_many."""

    key: int
    service_type_id: int
    point: Point
    metres: float = 150
    days: int = 30
    exclude_id: int | None = None


NEARBY_MANY_SQL = """
SELECT p.key, c.id, c.public_id, c.metres
FROM unnest(%(keys)s::bigint[], %(types)s::bigint[], %(xs)s::float8[], %(ys)s::float8[], %(metres)s::float8[],
            %(since)s::timestamptz[], %(exclude)s::bigint[]) AS p(key, type_id, x, y, metres, since, exclude_id)
CROSS JOIN LATERAL (
    SELECT sr.id, sr.public_id, ST_DistanceSphere(sr.location, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) AS metres
    FROM requests_app_servicerequest sr
    WHERE sr.status = ANY(%(open)s) AND sr.service_type_id = p.type_id AND sr.submitted_at >= p.since
      AND sr.location && ST_MakeEnvelope(p.x - p.metres / (110000 * greatest(cos(radians(p.y)), 0.01)),
                                         p.y - p.metres / 110000,
                                         p.x + p.metres / (110000 * greatest(cos(radians(p.y)), 0.01)),
                                         p.y + p.metres / 110000, 4326)
      AND ST_Distance(sr.location::geography, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)::geography, false) <= p.metres
      AND sr.id IS DISTINCT FROM p.exclude_id
    ORDER BY 3, 1  -- nearest first; the older request first between two at the same distance
    LIMIT %(limit)s
) AS c
"""


def nearby_open_requests_for_many(probes: list[NearbyProbe], *, limit: int = 10) -> dict[int, list[tuple]]:
    """nearby_open_requests for many points in one query: {probe key: [(id, public_id, metres), ...]}, nearest first.

    The same rule as nearby_open_requests (kept side by side, and a test holds them to the same answers);
    routing uses it to link duplicates for a whole batch of requests at once.
    """
    if not probes:
        return {}
    now = timezone.now()
    params = {
        "keys": [p.key for p in probes],
        "types": [p.service_type_id for p in probes],
        "xs": [p.point.x for p in probes],
        "ys": [p.point.y for p in probes],
        "metres": [float(p.metres) for p in probes],
        "since": [now - timedelta(days=p.days) for p in probes],
        "exclude": [p.exclude_id for p in probes],
        "open": sorted(OPEN_STATUSES),
        "limit": limit,
    }
    found: dict[int, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(NEARBY_MANY_SQL, params)
        for key, pk, public_id, metres in cursor.fetchall():
            found.setdefault(key, []).append((pk, public_id, metres))
    return found


def filing_service_type(*, jurisdiction_id: int, code: str):
    """A jurisdiction's service type by code, with its jurisdiction and questions loaded, or None: what every
    filing reads, kept per process until a service type, question or jurisdiction changes (config_cache)."""

    def load():
        return (
            ServiceType.objects.select_related("jurisdiction")
            .prefetch_related("questions")
            .filter(jurisdiction_id=jurisdiction_id, code=code)
            .first()
        )

    return cached(("service_type", jurisdiction_id, code), load)


def jurisdiction_by_slug(slug: str) -> Jurisdiction | None:
    """The jurisdiction with this slug, or None, kept per process like ``filing_service_type``."""
    return cached(("jurisdiction", slug), lambda: Jurisdiction.objects.filter(slug=slug).first())
