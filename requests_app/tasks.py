from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

# Modules, not names: services imports photos, which queues these tasks.
from . import photos, services
from .idempotency import forget_expired

HEARTBEAT_KEY = "celery:beat:last"


@shared_task
def heartbeat_task():
    """Beat's pulse: /healthz reads when it last ran to tell whether the scheduler is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task
def release_ended_holds_task() -> int:
    """Beat: take requests off hold on their date, so their SLA clocks run again."""
    return services.release_ended_holds()


@shared_task
def forget_expired_idempotency_keys_task():
    """Beat, hourly: retried writes are remembered only as long as a client may still retry them."""
    return forget_expired()


# A phone photo takes a few seconds; one that runs for minutes is recorded as failed rather than retried forever.
@shared_task(soft_time_limit=180, time_limit=240)
def blur_photo_task(photo_id: int):
    photos.blur_photo(photo_id)


@shared_task
def blur_waiting_photos_task():
    photos.blur_waiting_photos()
