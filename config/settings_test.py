"""Test settings: the real PostGIS and Redis of settings.py, with fast hashing and Django's mail outbox."""
from .settings import *  # noqa: F401,F403
from .settings import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests get their own Redis database so a running `make run` is never disturbed.
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "civic311-test"}}
CELERY_BROKER_URL = REDIS_URL
HEALTH_CELERY_TIMEOUT = 1.0
CIVIC311_SMS_BACKEND = "contacts.sms.locmem.LocmemSmsBackend"
CIVIC311_NOTIFY_RETRY_SECONDS = 0

# The suite files many requests from 127.0.0.1 within an hour; tests of the limits set their own.
RATE_LIMIT_FILINGS = RATE_LIMIT_ME_TOO = RATE_LIMIT_TRACKING_MISSES = "100000/3600"
# The inbound mail webhooks are mounted only with a secret (tests/integrations/test_email_intake.py).
ANYMAIL = {"WEBHOOK_SECRET": "provider:inbound-test-secret"}
