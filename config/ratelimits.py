"""Per-client-address limits on the public writes (filing, "me too") and on failed tracking-link lookups,
counted in Redis in fixed windows. Open311 writes count here too, per API key (open311/services.count_write);
staff sign-in is limited by django-axes.

A limit is "N per window seconds", set in settings from the environment (RATE_LIMIT_*).
"""

import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from .redis_client import redis

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: int  # seconds

    @classmethod
    def from_setting(cls, scope: str, value: str) -> "Limit":
        count, _slash, window = value.partition("/")
        return cls(scope, int(count), int(window or 3600))


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_address(request) -> str:
    """The client's address. X-Forwarded-For is read only from a configured proxy (DJANGO_TRUSTED_PROXIES), and
    then right to left, past the trusted proxies: entries further left were written by the client itself."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted_proxy(remote):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        if hop and not _trusted_proxy(hop):
            return hop
    return remote


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def _counter(limit: Limit, client: str) -> tuple[str, int]:
    now = int(time.time())
    window_index = now // limit.window
    retry_after = limit.window - now % limit.window
    return f"civic311:ratelimit:{limit.scope}:{client}:{window_index}", retry_after


def count(limit: Limit, client: str) -> None:
    """Count one event for ``client``; raises RateLimited once the window's allowance is used up.

    One Redis round trip: the window's counter is created with its expiry if missing, then incremented. With
    Redis unreachable the event goes through uncounted: refusing every resident while the cache is down would
    turn a cache outage into a service outage.
    """
    key, retry_after = _counter(limit, client)
    try:
        pipe = redis().pipeline(transaction=False)
        pipe.set(key, 0, ex=limit.window + 5, nx=True)
        pipe.incr(key)
        _created, used = pipe.execute()
    except RedisError:
        logger.warning("rate limit %s not counted: cache unavailable", limit.scope)
        return
    if used > limit.count:
        raise RateLimited(retry_after)


def check(limit: Limit, client: str) -> None:
    """Raise RateLimited if ``client`` already used up the window's allowance, without counting."""
    key, retry_after = _counter(limit, client)
    try:
        used = int(redis().get(key) or 0)
    except RedisError:
        logger.warning("rate limit %s not checked: cache unavailable", limit.scope)
        return
    if used >= limit.count:
        raise RateLimited(retry_after)


def filing_limit() -> Limit:
    return Limit.from_setting("filing", settings.RATE_LIMIT_FILINGS)


def me_too_limit() -> Limit:
    return Limit.from_setting("me-too", settings.RATE_LIMIT_ME_TOO)


def nearby_limit() -> Limit:
    return Limit.from_setting("nearby", settings.RATE_LIMIT_NEARBY)


def tracking_miss_limit() -> Limit:
    return Limit.from_setting("tracking-miss", settings.RATE_LIMIT_TRACKING_MISSES)


def looked_up_or_counted(request, lookup):
    """Run ``lookup()`` (a tracking-link lookup) unless the client already failed too many; a lookup that
    raises Http404 counts as a failure, so guessing tokens stops after a few tries. Raises RateLimited."""
    limit, client = tracking_miss_limit(), client_address(request)
    check(limit, client)
    try:
        return lookup()
    except Http404:
        count(limit, client)
        raise


def too_many_requests(request, retry_after: int):
    """429 with Retry-After, as JSON for a script and as a page for a browser."""
    message = _("Too many requests from your address. Please try again in %(minutes)d minutes.") % {
        "minutes": max(1, -(-retry_after // 60))
    }
    if "application/json" in request.headers.get("Accept", "") or request.path.endswith(".json"):
        response = JsonResponse({"errors": {"__all__": [message]}}, status=429)
    else:
        response = render(
            request, "frontend/refused.html", {"title": _("Too many requests"), "message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def sign_in_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out staff sign-in (AXES_LOCKOUT_CALLABLE): our 429 with Retry-After."""
    return too_many_requests(request, int(settings.AXES_COOLOFF_TIME * 3600))


class RateLimitedMiddleware:
    """Turns RateLimited raised by a view into the 429 answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception.retry_after)
        return None
