"""Reads for one screen or endpoint each; they own select_related/only."""
from django.db.models import Count, Q

from .models import Jurisdiction
from .statuses import OPEN_STATUSES


def jurisdictions_overview():
    """Each jurisdiction with its count of open and all requests, for the landing page."""
    return Jurisdiction.objects.annotate(
        open_count=Count("requests", filter=Q(requests__status__in=OPEN_STATUSES)),
        request_count=Count("requests"),
    ).order_by("slug")
