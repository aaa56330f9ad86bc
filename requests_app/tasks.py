from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .idempotency import forget_expired

HEARTBEAT_KEY = "celery:beat:last"


@shared_task
def heartbeat_task():
    """Beat's pulse: /healthz reads when it last ran to tell whether the scheduler is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task
def forget_expired_idempotency_keys_task():
    """Beat, hourly: retried writes are remembered only as long as a client may still retry them."""
    return forget_expired()
