"""Reads for one screen or endpoint each; they own select_related/only."""
from datetime import timedelta

from django.contrib.gis.db.models.functions import Distance
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
