"""Rows every filing reads and staff rarely change (service types with their questions, API keys, webhook
subscriptions), kept in each process under one version held in Redis.

Any change to them bumps the version (``bump``: at once and again on commit, so a process that read the old row
just before the commit can't keep it); each process reads the version at most once per web request and drops
its copies when it moved. Without Redis nothing is kept and every read goes to the database.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Hashable

from django.core.signals import request_finished, request_started
from django.db import transaction
from redis.exceptions import RedisError

from .redis_client import redis

logger = logging.getLogger(__name__)

VERSION_KEY = "civic311:config-version"

_version: bytes | None = None  # the version the entries below belong to
_entries: dict[Hashable, object] = {}
# Inside a web request the version is read once, at the first cached read; outside one, every read checks.
_request = threading.local()  # .serving: this thread serves a web request; .checked: it read the version


def _current_version() -> bytes | None:
    if getattr(_request, "checked", False):
        return _version
    try:
        client = redis()
        version = client.get(VERSION_KEY)
        if version is None:  # never set, or Redis was emptied: start a new one
            client.set(VERSION_KEY, uuid.uuid4().hex, nx=True)
            version = client.get(VERSION_KEY)
    except RedisError:
        logger.warning("config cache off: Redis unavailable")
        return None
    _request.checked = getattr(_request, "serving", False)
    return version


def cached(key: Hashable, load: Callable[[], object]):
    """``load()``'s answer, kept in this process until the version moves. ``key`` names what is loaded and from
    what arguments. The answer is shared by every later caller: treat it as read-only. None (not found) is not
    kept, so unknown keys can't fill the memory."""
    global _version, _entries
    version = _current_version()
    if version is None:
        return load()
    if version != _version:
        _version, _entries = version, {}
    try:
        return _entries[key]
    except KeyError:
        value = load()
        if value is not None:
            _entries[key] = value
        return value


def bump(**_signal_kwargs) -> None:
    """Say that something this cache keeps has changed (connect it to the models' save and delete signals)."""
    global _version, _entries
    _version, _entries = None, {}
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    try:
        redis().set(VERSION_KEY, uuid.uuid4().hex)
    except RedisError:
        # The other processes keep their copies until the next change reaches Redis.
        logger.warning("config cache version not bumped: Redis unavailable")


def _request_started(**_kwargs) -> None:
    _request.serving, _request.checked = True, False


def _request_finished(**_kwargs) -> None:
    _request.serving, _request.checked = False, False


request_started.connect(_request_started, dispatch_uid="config.config_cache.started")
request_finished.connect(_request_finished, dispatch_uid="config.config_cache.finished")
