"""Civic311 settings. Every value comes from the environment, with safe local defaults.

Production differs from a developer's machine only by environment variables (see README.md).
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .buckets import bucket_storages
from .production import DEVELOPMENT_SECRET_KEY, refuse_unsafe_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The local launcher (scripts/services.sh) writes the URLs of the services it started here.
environ.Env.read_env(BASE_DIR / ".state" / "env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# A developer's machine or an image build: the development defaults below are accepted with DEBUG off (make run
# writes it to .state/env). Anywhere else the unsafe ones stop every process at start-up (config/production.py).
CIVIC311_DEVELOPMENT = env.bool("CIVIC311_DEVELOPMENT", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Rotation: the new key in DJANGO_SECRET_KEY, the old ones here until sessions and signed links made with them expire.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_prometheus",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "anymail",  # django-anymail: inbound mail webhooks of the common providers (integrations/inbound_mail.py)
    "leaflet",  # django-leaflet: only for the Leaflet files it bundles, served from our static files
    "requests_app",
    "open311",
    "routing",
    "staffing",
    "contacts",
    "integrations",
    "permits",
    "frontend",
    "frontend.staff",
    "frontend.public",
    "frontend.permit_pages",
    "demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the session or the database: a request shed past capacity costs next to nothing.
    "config.middleware.LoadSheddingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.UploadLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.replicas.ReplicaReadsMiddleware",
    "config.ratelimits.RateLimitedMiddleware",
    # Last but for metrics, as django-axes asks: it answers a locked-out sign-in before any view runs.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgis://civic311:civic311@127.0.0.1:5432/civic311"),
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT spends seconds compiling the map's and statistics' aggregate queries, which run in milliseconds
# to a few hundred without it (bench/public_map.py measured 5x).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Read replicas (PostgreSQL streaming replicas of the primary), comma-separated URLs: the public outputs read
# from them, everything else from the primary (config/replicas.py).
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica{_number}"] = {
        **env.db_url_config(_url),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"options": "-c jit=off"},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
# Paths (regular expressions from the start of the path) whose GETs may be served by a replica.
REPLICA_READ_PATHS = [r"/map/", r"/stats/", r"/open-data/", r"/feeds/", r"/open311/v2/"]
# How long a browser that has just written reads the primary: longer than the replicas' usual lag.
REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "civic311",
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it ran, so a worker killed mid-task leaves it to be redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down: the DB row is the durable record.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = "UTC"
# Queues by kind, so a backlog of one kind of work never delays another: a storm of photos to blur or an
# export to prepare must not hold up routing. A worker started without -Q consumes them all (one machine);
# past one machine, each queue gets workers of its own (docker-compose.yml). First matching pattern wins.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUE_NAMES = ["routing", "notifications", "photos", "exports", "deliveries", "default"]
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_TASK_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    "routing.tasks.*": {"queue": "routing"},
    "contacts.tasks.*": {"queue": "notifications"},
    "*photo*": {"queue": "photos"},
    "frontend.public.tasks.*": {"queue": "exports"},
    "integrations.tasks.*": {"queue": "deliveries"},
}
# Celery's Django fixup closes the database connection around every task unless told to reuse it; a new
# PostGIS connection per routing task costs more than the routing itself.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# Requests still waiting for routing this long after filing are routed by the sweep (their task was lost).
ROUTING_SWEEP_AFTER_SECONDS = env.int("ROUTING_SWEEP_AFTER_SECONDS", default=60)
# How often beat runs that sweep.
ROUTING_SWEEP_EVERY_SECONDS = env.float("ROUTING_SWEEP_EVERY_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "erase-expired-contacts": {"task": "contacts.tasks.erase_expired_contacts_task", "schedule": crontab(minute=17)},
    "heartbeat": {"task": "requests_app.tasks.heartbeat_task", "schedule": crontab(minute="*")},
    "public-statistics": {
        "task": "frontend.public.tasks.refresh_public_statistics_task",
        "schedule": crontab(minute="*/15"),
    },
    "route-waiting-requests": {
        "task": "routing.tasks.route_waiting_requests_task",
        "schedule": ROUTING_SWEEP_EVERY_SECONDS,
    },
    "forget-expired-idempotency-keys": {
        "task": "requests_app.tasks.forget_expired_idempotency_keys_task",
        "schedule": crontab(minute=41),
    },
    "close-ended-permits": {"task": "permits.tasks.close_ended_permits_task", "schedule": crontab(minute=5)},
    "escalate-overdue-requests": {
        "task": "routing.tasks.escalate_overdue_requests_task",
        "schedule": crontab(minute="*/5"),
    },
    "release-ended-holds": {"task": "requests_app.tasks.release_ended_holds_task", "schedule": crontab(minute="*/15")},
    "deliver-escalation-notices": {
        "task": "routing.tasks.deliver_escalation_notices_task",
        "schedule": crontab(minute="*/5"),
    },
    "blur-waiting-photos": {"task": "requests_app.tasks.blur_waiting_photos_task", "schedule": crontab(minute="*")},
    "deliver-due-outbox-messages": {
        "task": "integrations.tasks.deliver_due_messages_task",
        "schedule": env.float("INTEGRATIONS_SWEEP_EVERY_SECONDS", default=60.0),
    },
    "poll-onward-updates": {
        "task": "integrations.tasks.poll_onward_updates_task",
        "schedule": env.float("INTEGRATIONS_POLL_EVERY_SECONDS", default=300.0),
    },
    "end-expired-area-alerts": {"task": "contacts.tasks.end_expired_area_alerts_task", "schedule": crontab(minute=23)},
}
# Opt-in: every Sunday night learn a draft rule set from each city's own closed requests and transfers. It is
# never activated by itself; an operator reads its evaluation (in the rule set's note) and activates it.
ROUTING_LEARN_FROM_HISTORY = env.bool("ROUTING_LEARN_FROM_HISTORY", default=False)
if ROUTING_LEARN_FROM_HISTORY:
    CELERY_BEAT_SCHEDULE["learn-routing-from-history"] = {
        "task": "routing.tasks.learn_routing_from_history_task",
        "schedule": crontab(minute=30, hour=2, day_of_week=0),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]  # apps keep their own in <app>/locale
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / ".state" / "static")
# Where public photo copies are linked: served by config.urls, or a CDN's address in front of the bucket.
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
_media = urlsplit(MEDIA_URL)
_media_origin = f"{_media.scheme}://{_media.netloc}" if _media.netloc else ""  # a CDN's, for the CSP below
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / ".state" / "media")
# Contact erasures, kept outside the database so that `make restore` can replay them (contacts/ledger.py).
ERASURE_LEDGER_PATH = env.path("ERASURE_LEDGER_PATH", default=BASE_DIR / ".state" / "erasure-ledger.jsonl")
# Original photos, faces and plates unblurred: outside MEDIA_ROOT so no web server or /media/ route can reach
# them; staff of the handling department read them through a signed-in view (requests_app.photos).
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / ".state" / "private")
# Permit applicants' documents: never under MEDIA_ROOT, served only by the authorised views (permits/).
PERMIT_DOCUMENTS_ROOT = env.path("PERMIT_DOCUMENTS_ROOT", default=BASE_DIR / ".state" / "permit-documents")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "requests_app.storage.PrivateStorage"},
    "permit_documents": {
        "BACKEND": "requests_app.storage.PrivateStorage",
        "OPTIONS": {"root_setting": "PERMIT_DOCUMENTS_ROOT"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Past one machine: media in an S3 bucket that every web and worker machine shares, instead of the folders
# above (config/buckets.py). Keep the bucket private: originals and documents are only ever streamed by the
# authorised views, public copies by config.urls or a CDN named in DJANGO_MEDIA_URL.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES |= bucket_storages(
        bucket=MEDIA_S3_BUCKET,
        endpoint_url=env.str("MEDIA_S3_ENDPOINT_URL", default=""),
        region=env.str("MEDIA_S3_REGION", default=""),
        access_key=env.str("MEDIA_S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("MEDIA_S3_SECRET_ACCESS_KEY", default=""),
        addressing_style=env.str("MEDIA_S3_ADDRESSING_STYLE", default=""),
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The most photos any caller may send at once (Open311: 10, the resident form: 3) and the largest body: ten
# photos of 10 MB (requests_app.photos) and the form around them. config.middleware.UploadLimitsMiddleware.
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=10)

# Load shedding (config/shedding.py): under gunicorn, a request that waited longer than this for a thread is
# answered 503 with Retry-After at once. 0 turns it off.
WEB_MAX_QUEUE_WAIT_MS = env.int("WEB_MAX_QUEUE_WAIT_MS", default=300)
WEB_SHED_RETRY_AFTER_SECONDS = env.int("WEB_SHED_RETRY_AFTER_SECONDS", default=2)
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=101 * 1024 * 1024)

LOGIN_URL = "admin:login"

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME hours.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False  # its start-up banner adds nothing to the logs
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_TIME", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.ratelimits.sign_in_locked_out"  # 429 with Retry-After, like our other limits
# Two-factor authentication (django-otp, TOTP): the issuer shown in the staff member's authenticator app.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Civic311")
# How often the staff queue asks for new and changed requests.
STAFF_POLL_SECONDS = env.int("STAFF_POLL_SECONDS", default=30)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Civic311 API",
    "DESCRIPTION": "Open311 GeoReport v2 and the Civic311 extensions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Open311 errors are lists (<errors><error/></errors>), on 4xx as on 200.
    "ENABLE_LIST_MECHANICS_ON_NON_2XX": True,
}

# How long a retried write (the resident's form, Open311) gets its first answer back (requests_app.idempotency).
IDEMPOTENCY_KEEP_HOURS = env.int("IDEMPOTENCY_KEEP_HOURS", default=48)

# Open311: writes (POST requests, POST servicerequestupdates) allowed per API key and minute, counted in Redis.
# An ApiKey row may set its own number.
OPEN311_WRITES_PER_MINUTE = env.int("OPEN311_WRITES_PER_MINUTE", default=60)

# Public writes and tracking-link lookups allowed per client address, as "COUNT/SECONDS", counted in Redis
# (config.ratelimits.py). Failed lookups of /track/<token>/ are limited so that tokens can't be enumerated.
RATE_LIMIT_FILINGS = env.str("RATE_LIMIT_FILINGS", default="30/3600")
RATE_LIMIT_ME_TOO = env.str("RATE_LIMIT_ME_TOO", default="60/3600")
RATE_LIMIT_TRACKING_MISSES = env.str("RATE_LIMIT_TRACKING_MISSES", default="20/3600")
RATE_LIMIT_NEARBY = env.str("RATE_LIMIT_NEARBY", default="120/3600")
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed, for rate limits and /metrics.
# Empty: the header is ignored, since any client can send one (config.ratelimits.client_address).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])

# Security headers. The CSP has no 'unsafe-inline' and no outside origin: every asset is served by us.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # A CDN serving the public photo copies (DJANGO_MEDIA_URL) is an image origin too.
        "img-src": ["'self'", "data:", "blob:"]
        + env.list("CIVIC311_MAP_TILE_ORIGINS", default=[])
        + ([_media_origin] if _media_origin else []),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The public map's base layer: a tile URL template such as https://tile.example.org/{z}/{x}/{y}.png (add its
# origin to CIVIC311_MAP_TILE_ORIGINS). Empty: no base layer; points, clusters and area outlines still show.
CIVIC311_MAP_TILE_URL = env.str("CIVIC311_MAP_TILE_URL", default="")
CIVIC311_MAP_TILE_ATTRIBUTION = env.str("CIVIC311_MAP_TILE_ATTRIBUTION", default="")

# The jurisdiction (its slug) that Open311 calls without a jurisdiction_id are about, when several are served.
CIVIC311_DEFAULT_JURISDICTION = env.str("CIVIC311_DEFAULT_JURISDICTION", default="")

# GDAL 3.6 on Debian 12 works for everything we use; Django only recommends a newer one.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# JSON lines by default, for a log pipeline; "plain" for reading on a terminal. Code logs ids, never people.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # Every line passes config.redaction first: no tracking link, API key, email or phone number reaches a log.
    "filters": {"redact": {"()": "config.redaction.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    # smtp://user:password@host:587 (or smtp+tls://, smtp+ssl://): the mail server, as docker-compose passes it.
    globals().update(env.email_url("EMAIL_URL"))  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, user, password, TLS
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Civic311 <no-reply@localhost>")

# Contact data (contacts/): Fernet keys, comma-separated; the first encrypts, all decrypt (rotate with
# `manage.py reencrypt_contacts`). Unset, keys derived from SECRET_KEY (and its fallbacks) are used.
CIVIC311_CONTACT_KEYS = env.list("CIVIC311_CONTACT_KEYS", default=[])
# Where links in messages to residents point (the tracking page, the one-click withdraw link).
CIVIC311_SITE_URL = env.str("CIVIC311_SITE_URL", default="http://localhost:8000")
CIVIC311_SMS_BACKEND = env.str("CIVIC311_SMS_BACKEND", default="contacts.sms.console.ConsoleSmsBackend")
CIVIC311_TWILIO_ACCOUNT_SID = env.str("CIVIC311_TWILIO_ACCOUNT_SID", default="")
CIVIC311_TWILIO_AUTH_TOKEN = env.str("CIVIC311_TWILIO_AUTH_TOKEN", default="")
CIVIC311_TWILIO_FROM = env.str("CIVIC311_TWILIO_FROM", default="")
CIVIC311_TWILIO_API_BASE = env.str("CIVIC311_TWILIO_API_BASE", default="https://api.twilio.com")
CIVIC311_NOTIFY_RETRY_SECONDS = env.int("CIVIC311_NOTIFY_RETRY_SECONDS", default=60)
CIVIC311_NOTIFY_MAX_RETRIES = env.int("CIVIC311_NOTIFY_MAX_RETRIES", default=6)

# Integrations (integrations/): the outbox's retries double from the base pause up to the longest one, and a
# message is marked stuck (for an operator to retry or stop) once it has failed for this many hours.
INTEGRATIONS_RETRY_BASE_SECONDS = env.float("INTEGRATIONS_RETRY_BASE_SECONDS", default=30.0)
INTEGRATIONS_RETRY_MAX_SECONDS = env.float("INTEGRATIONS_RETRY_MAX_SECONDS", default=1800.0)
INTEGRATIONS_GIVE_UP_AFTER_HOURS = env.float("INTEGRATIONS_GIVE_UP_AFTER_HOURS", default=72.0)
INTEGRATIONS_HTTP_TIMEOUT_SECONDS = env.float("INTEGRATIONS_HTTP_TIMEOUT_SECONDS", default=10.0)
# Inbound mail webhooks (/anymail/<provider>/inbound/): the provider calls them with this "user:password" in
# basic auth (or its own signing key, e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None,
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", default="") or None,
}
ANYMAIL = {key: value for key, value in ANYMAIL.items() if value}

# How long /healthz waits for a Celery worker to answer a ping.
HEALTH_CELERY_TIMEOUT = env.float("HEALTH_CELERY_TIMEOUT", default=1.0)

# Who may scrape /metrics (Prometheus): the machine itself and the networks listed.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])

# Staff who used their authenticator may trust their browser this many hours (one shift): no code until then.
STAFF_TRUSTED_BROWSER_HOURS = env.float("STAFF_TRUSTED_BROWSER_HOURS", default=10.0)

if not DEBUG and not CIVIC311_DEVELOPMENT:
    refuse_unsafe_settings(
        secret_key=SECRET_KEY,
        secret_key_fallbacks=SECRET_KEY_FALLBACKS,
        contact_keys=CIVIC311_CONTACT_KEYS,
        site_url=CIVIC311_SITE_URL,
        email_backend=EMAIL_BACKEND,
        sms_backend=CIVIC311_SMS_BACKEND,
        twilio=(CIVIC311_TWILIO_ACCOUNT_SID, CIVIC311_TWILIO_AUTH_TOKEN, CIVIC311_TWILIO_FROM),
    )
