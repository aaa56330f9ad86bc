from celery import shared_task

from requests_app.models import Jurisdiction

from .stats import refresh_statistics


@shared_task
def refresh_public_statistics_task(jurisdiction_id: int | None = None):
    """Prepare the public statistics of one jurisdiction, or of all (the beat schedule's call)."""
    jurisdictions = Jurisdiction.objects.all()
    if jurisdiction_id is not None:
        jurisdictions = jurisdictions.filter(pk=jurisdiction_id)
    for jurisdiction in jurisdictions:
        refresh_statistics(jurisdiction)
