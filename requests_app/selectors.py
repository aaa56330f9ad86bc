"""Reads for one screen or endpoint each; they own select_related/only."""
import re
from datetime import timedelta

from django.contrib.gis.db.models.functions import Distance, PointOnSurface
from django.db.models import Count, Q
from django.utils import timezone

from .models import Jurisdiction, ServiceRequest
from .statuses import OPEN_STATUSES


def jurisdictions_overview():
    """Each jurisdiction with its count of open and all requests, for the landing page."""
    return Jurisdiction.objects.annotate(
        open_count=Count("requests", filter=Q(requests__status__in=OPEN_STATUSES)),
        request_count=Count("requests"),
    ).order_by("slug")


def nearby_open_requests(*, service_type, point, metres: float = 150, days: int = 30, exclude_id=None,
                         limit: int = 10):
    """Open requests of the same type near a point and recent enough to be the same problem.

    Used by the resident form ("already reported?") and by routing to link possible duplicates.
    """
    since = timezone.now() - timedelta(days=days)
    qs = (ServiceRequest.objects.open().filter(service_type=service_type, submitted_at__gte=since)
          .near(point, metres).annotate(distance=Distance("location", point)).order_by("distance")
          .select_related("service_type"))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs[:limit]


def places_matching(*, jurisdiction, query: str, limit: int = 8) -> list[dict]:
    """Places a resident may mean by ``query``, from the jurisdiction's own data: its area names and the
    addresses of its requests. Each is {"label", "kind", "lat", "lon"}; no outside geocoder is asked.

    Addresses of sensitive service types are left out: they may be someone's home.
    """
    from routing.models import Area

    query = query.strip()
    if len(query) < 2:
        return []
    areas = (Area.objects.filter(layer__jurisdiction=jurisdiction)
             .filter(Q(name__icontains=query) | Q(name_translations__icontains=query))
             .annotate(point=PointOnSurface("boundary")).only("name", "name_translations").order_by("name")[:limit])
    places = [{"label": area.localized_name(), "kind": "area", "lat": round(area.point.y, 6),
               "lon": round(area.point.x, 6)} for area in areas]
    addresses = (ServiceRequest.objects.in_jurisdiction(jurisdiction)
                 .filter(address__iregex=re.escape(query), location__isnull=False, service_type__sensitive=False)
                 .order_by("address").distinct("address").values_list("address", "location")[:limit - len(places)])
    places += [{"label": address, "kind": "address", "lat": round(point.y, 6), "lon": round(point.x, 6)}
               for address, point in addresses]
    return places
