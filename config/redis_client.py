"""The process's one Redis client for the counters and versions the web path reads on every request (rate limits,
config_cache): one connection pool per process, reused, instead of a connection per call."""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from redis import Redis


@cache
def redis() -> Redis:
    # Short timeouts: every caller fails open, and a slow Redis must not hold a resident's request.
    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)


def _forget_client(setting, **_kwargs) -> None:
    if setting == "REDIS_URL":  # tests point it elsewhere
        redis.cache_clear()


setting_changed.connect(_forget_client, dispatch_uid="config.redis_client")
