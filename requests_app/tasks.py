from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import photos

HEARTBEAT_KEY = "celery:beat:last"


@shared_task
def heartbeat_task():
    """Beat's pulse: /healthz reads when it last ran to tell whether the scheduler is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task
def blur_photo_task(photo_id: int):
    photos.blur_photo(photo_id)


@shared_task
def blur_waiting_photos_task():
    photos.blur_waiting_photos()
