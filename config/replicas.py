"""Read replicas: which reads may come from a PostgreSQL streaming replica, and which must see the primary.

Public outputs (the map, tiles, statistics, open data, feeds, Open311 GETs) tolerate a replica's lag of a
second or so, and they are what a storm or a newspaper article multiplies. Everything else reads the primary:
writes, staff pages, the tracking page, and any read by a client that has just written (the pin cookie), so a
resident never reads a replica that has not yet caught up with their own request.
"""

import random
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

PRIMARY = "default"
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)

# The apps whose tables public outputs read. Sessions, accounts, second factors and contacts never come from a
# replica: a sign-in or a consent just written must be seen at once, and personal data stays on the primary.
REPLICA_APPS = frozenset({"requests_app", "open311", "routing", "public"})


def replica_aliases() -> list[str]:
    return settings.DATABASE_REPLICAS


@contextmanager
def reads_from_replica():
    """Reads inside the block may be served by a replica (when one is configured)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


@contextmanager
def reads_from_primary():
    """Reads inside the block come from the primary, even inside a replica-allowed request."""
    token = _replica_allowed.set(False)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReplicaRouter:
    """Django database router: writes and migrations on the primary, allowed reads spread over the replicas."""

    def db_for_read(self, model, **hints):
        if not _replica_allowed.get() or model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        aliases = replica_aliases()
        return random.choice(aliases) if aliases else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Serves the public read-only outputs from a replica, with read-your-writes for whoever just wrote.

    After any write (a POST and the like), the browser gets a short-lived pin cookie and reads the primary until
    the replica has had time to catch up. Open311 clients keep no cookies, so a replica read that finds nothing
    ("not found" for a request filed a moment ago) is answered again from the primary.
    """

    PIN_COOKIE = "civic311_primary"

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = re.compile("|".join(settings.REPLICA_READ_PATHS)) if settings.REPLICA_READ_PATHS else None

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            if replica_aliases():
                response.set_cookie(
                    self.PIN_COOKIE,
                    "1",
                    max_age=settings.REPLICA_PIN_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        if (
            not replica_aliases()
            or self.paths is None
            or request.COOKIES.get(self.PIN_COOKIE)
            or not self.paths.match(request.path_info)
        ):
            return self.get_response(request)
        with reads_from_replica():
            response = self.get_response(request)
        if response.status_code == 404:
            response = self.get_response(request)
        return response
