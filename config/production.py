"""What a server refuses to start with when DEBUG is off: the development defaults that are safe on a
developer's machine and dangerous anywhere else. settings.py calls it last, so every process (gunicorn, Celery,
manage.py) stops at start-up with the whole list, before it serves or sends anything."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
MIN_SECRET_KEY_LENGTH = 50  # Django's own check --deploy minimum
CONSOLE_BACKENDS = {"django.core.mail.backends.console.EmailBackend", "contacts.sms.console.ConsoleSmsBackend"}


def unsafe_settings(
    *,
    secret_key: str,
    secret_key_fallbacks: list[str],
    contact_keys: list[str],
    site_url: str,
    email_backend: str,
    sms_backend: str,
    twilio: tuple[str, str, str],
) -> list[str]:
    """One sentence per unsafe setting, naming the variable to set (never its value: this lands in logs)."""
    problems = []
    for name, key in [("DJANGO_SECRET_KEY", secret_key)] + [
        ("DJANGO_SECRET_KEY_FALLBACKS", k) for k in secret_key_fallbacks
    ]:
        if key == DEVELOPMENT_SECRET_KEY or "insecure" in key:
            problems.append(
                f"{name} is the development key: set a random one of at least {MIN_SECRET_KEY_LENGTH} characters"
            )
        elif len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
            problems.append(f"{name} is too short or too plain: use at least {MIN_SECRET_KEY_LENGTH} random characters")
    if not [k for k in contact_keys if k.strip()]:
        problems.append(
            "CIVIC311_CONTACT_KEYS is not set: contact details would be encrypted with a key derived "
            "from DJANGO_SECRET_KEY, and rotating that key would lose them"
        )
    host = (urlsplit(site_url).hostname or "").lower()
    if host in {"", "localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.endswith(".localhost"):
        problems.append(
            "CIVIC311_SITE_URL points at this machine: links in messages to residents would be dead; "
            "set the public address, e.g. https://311.example.org"
        )
    if email_backend in CONSOLE_BACKENDS:
        problems.append(
            "EMAIL_BACKEND is the console backend: messages would be printed and counted as sent; "
            "set EMAIL_URL (smtp://...) or another real backend"
        )
    if sms_backend in CONSOLE_BACKENDS or sms_backend.endswith(".LocmemSmsBackend"):
        problems.append(
            "CIVIC311_SMS_BACKEND prints or keeps messages instead of sending them: use "
            "contacts.sms.twilio.TwilioSmsBackend, or contacts.sms.disabled.DisabledSmsBackend "
            "to send none"
        )
    if sms_backend.endswith(".TwilioSmsBackend") and not all(twilio):
        problems.append(
            "CIVIC311_SMS_BACKEND is Twilio but CIVIC311_TWILIO_ACCOUNT_SID, CIVIC311_TWILIO_AUTH_TOKEN "
            "and CIVIC311_TWILIO_FROM are not all set"
        )
    return problems


def refuse_unsafe_settings(**settings) -> None:
    """Raises ImproperlyConfigured listing every unsafe setting."""
    problems = unsafe_settings(**settings)
    if problems:
        raise ImproperlyConfigured(
            "Civic311 refuses to start with DEBUG off and unsafe settings (set CIVIC311_DEVELOPMENT=true only on a "
            "developer's machine):\n- " + "\n- ".join(problems)
        )
