from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "celery:beat:last"


@shared_task
def heartbeat_task():
    """Beat's pulse: /healthz reads when it last ran to tell whether the scheduler is alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
