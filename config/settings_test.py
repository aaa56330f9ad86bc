"""Test settings: the real PostGIS and Redis of settings.py, with fast hashing and Django's mail outbox."""

import os
from pathlib import Path

# The suite runs on a developer's machine; the production refusals are tested in subprocesses with their own
# environment (tests/test_production_settings.py).
os.environ.setdefault("CIVIC311_DEVELOPMENT", "true")

from .settings import *  # noqa: E402,F401,F403
from .settings import DATABASES, MEDIA_ROOT, PERMIT_DOCUMENTS_ROOT, PRIVATE_MEDIA_ROOT, STORAGES, env  # noqa: E402

# `make test` runs the suite in two pytest-xdist processes (gw0, gw1). pytest-django gives each its own test
# database (test_civic311_gw0, ...); below, each also gets a Redis database and media folders of its own, so that no
# process's Celery worker takes the other's tasks and no cache clear or stored file reaches the other's tests.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

# A test commits thousands of times (transactional tests, the live server, the Celery worker) and never needs a
# commit to survive a crash of the machine: the server acknowledges a commit without waiting for its WAL flush.
# (Only this session's commits; the server's own settings stay as they are.)
DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests get their own Redis database so a running `make run` is never disturbed; each xdist process the one below
# its predecessor's (15, 14, ...; scripts/test.sh starts at most 8).
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
if XDIST_WORKER:
    _server, _database = REDIS_URL.rsplit("/", 1)
    REDIS_URL = f"{_server}/{int(_database) - int(XDIST_WORKER.removeprefix('gw'))}"
    MEDIA_ROOT, PRIVATE_MEDIA_ROOT, PERMIT_DOCUMENTS_ROOT = (
        Path(root) / XDIST_WORKER for root in (MEDIA_ROOT, PRIVATE_MEDIA_ROOT, PERMIT_DOCUMENTS_ROOT)
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "civic311-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
HEALTH_CELERY_TIMEOUT = 1.0
CIVIC311_SMS_BACKEND = "contacts.sms.locmem.LocmemSmsBackend"
CIVIC311_NOTIFY_RETRY_SECONDS = 0

# The suite files many requests from 127.0.0.1 within an hour; tests of the limits set their own.
RATE_LIMIT_FILINGS = RATE_LIMIT_ME_TOO = RATE_LIMIT_TRACKING_MISSES = "100000/3600"
RATE_LIMIT_NEARBY = "100000/3600"
# Each test run appends erasures to its own ledger, never to the one `make run` keeps.
ERASURE_LEDGER_PATH = env.path(
    "ERASURE_LEDGER_PATH",
    default=BASE_DIR / ".state" / f"test-erasure-ledger-{os.getpid()}.jsonl",  # noqa: F405
)
# The inbound mail webhooks are mounted only with a secret (tests/integrations/test_email_intake.py).
ANYMAIL = {"WEBHOOK_SECRET": "provider:inbound-test-secret"}
