"""Staff pages show times in the jurisdiction's own zone, and say which zone that is."""

from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

from requests_app.models import Jurisdiction


def zone_for(jurisdiction_ids) -> str:
    """The zone of the user's city (the first by id when they work in several)."""
    name = (
        Jurisdiction.objects.filter(pk__in=jurisdiction_ids).order_by("pk").values_list("timezone", flat=True).first()
    )
    return name or "UTC"


@contextmanager
def staff_time_zone(scope):
    """Activate the zone for the view and its template, and leave the thread as it was afterwards."""
    ids = scope.jurisdiction_ids or Jurisdiction.objects.filter(departments__in=scope.crew_department_ids).values_list(
        "pk", flat=True
    )
    timezone.activate(ZoneInfo(zone_for(ids)))
    try:
        yield
    finally:
        timezone.deactivate()
