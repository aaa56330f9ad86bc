"""/healthz: is each part the system needs alive? 200 when all are, 503 naming the ones that are not."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis import Redis
from redis.exceptions import RedisError

from config.celery import app as celery_app


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" here
        return False


def _redis() -> bool:
    try:
        client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        return bool(client.ping())
    except (RedisError, OSError):
        return False


def _celery_workers() -> int:
    try:
        # limit=1: answer as soon as one worker replies instead of waiting out the timeout.
        replies = celery_app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT, limit=1)
    except Exception:  # the broker is down: no worker can be reached
        return 0
    return len(replies or [])


@never_cache
def healthz(request):
    database = _database()
    redis_ok = _redis()
    workers = _celery_workers() if redis_ok else 0
    checks = {
        "database": "ok" if database else "down",
        "redis": "ok" if redis_ok else "down",
        "celery": "ok" if workers else "down",
    }
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks, "celery_workers": workers},
        status=200 if healthy else 503,
    )


@never_cache
def livez(request):
    """Is this web process serving? For a load balancer's checks, several a second: it asks nothing of the
    database, Redis or the workers, whose trouble would take every web process out of rotation at once."""
    return JsonResponse({"status": "ok"})
