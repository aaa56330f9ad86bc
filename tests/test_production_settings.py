"""With DEBUG off every process refuses unsafe settings at start-up, and keys rotate through the environment.

Each case starts a real process (manage.py, gunicorn) with its own environment and the production settings
module, as a server would; nothing here goes through the test settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.factories import ServiceRequestFactory

ROOT = Path(__file__).resolve().parent.parent
SAFE = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "false",
    "CIVIC311_DEVELOPMENT": "false",  # beats the development flag make run writes to .state/env
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "CIVIC311_CONTACT_KEYS": Fernet.generate_key().decode(),
    "CIVIC311_SITE_URL": "https://311.example.org",
    "EMAIL_URL": "smtp://mail.example.org:25",
    "CIVIC311_SMS_BACKEND": "contacts.sms.disabled.DisabledSmsBackend",
}
UNSAFE = {
    "default secret key": ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY is the development key"),
    "short secret key": ({"DJANGO_SECRET_KEY": "s3cret-but-short"}, "DJANGO_SECRET_KEY is too short"),
    "plain old key kept for rotation": (
        {"DJANGO_SECRET_KEY_FALLBACKS": "x" * 60},
        "DJANGO_SECRET_KEY_FALLBACKS is too short or too plain",
    ),
    "no contact key": ({"CIVIC311_CONTACT_KEYS": None}, "CIVIC311_CONTACT_KEYS is not set"),
    "localhost site url": ({"CIVIC311_SITE_URL": None}, "CIVIC311_SITE_URL points at this machine"),
    "loopback site url": ({"CIVIC311_SITE_URL": "http://127.0.0.1:8000"}, "CIVIC311_SITE_URL points at this machine"),
    "console email": ({"EMAIL_URL": None}, "EMAIL_BACKEND is the console backend"),
    "console sms": ({"CIVIC311_SMS_BACKEND": None}, "CIVIC311_SMS_BACKEND prints or keeps messages"),
    "twilio without credentials": (
        {"CIVIC311_SMS_BACKEND": "contacts.sms.twilio.TwilioSmsBackend"},
        "CIVIC311_TWILIO_ACCOUNT_SID, CIVIC311_TWILIO_AUTH_TOKEN",
    ),
}


def environment(overrides: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVIC311_", "EMAIL_"))}
    env.update(SAFE)
    database = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgis://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def shell(code: str, overrides: dict) -> str:
    """Run Python in a manage.py shell with this environment; its last line of output."""
    result = manage("shell", "--no-imports", "-c", code, overrides=overrides)
    return (result.stdout.strip().splitlines() or [""])[-1] if result.returncode == 0 else f"exit {result.returncode}"


def manage(*args, overrides=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(overrides),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.django_db
def test_safe_production_settings_start():
    result = manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", UNSAFE.values(), ids=UNSAFE.keys())
def test_each_unsafe_setting_stops_the_process_with_a_clear_message(overrides, message):
    result = manage("check", overrides=overrides)
    assert result.returncode != 0
    assert "refuses to start with DEBUG off" in result.stderr and message in result.stderr
    # The message names the variable, never the value.
    for value in overrides.values():
        assert not value or value not in result.stderr


@pytest.mark.django_db
def test_the_web_server_refuses_to_start_with_the_development_key():
    server = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--config",
            "python:config.gunicorn",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=environment({"DJANGO_SECRET_KEY": None}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert server.returncode != 0
    assert "DJANGO_SECRET_KEY is the development key" in server.stdout + server.stderr


@pytest.mark.django_db
def test_debug_on_is_a_developers_machine_and_starts():
    assert manage("check", overrides={"DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": None}).returncode == 0


SAVE = """
from contacts.services import ContactDetails, save_contact
save_contact(service_request_id={pk}, details=ContactDetails(email="rotate@example.org", language="en",
             purposes=frozenset({{"status_updates"}})), tracking_token="a-token-for-the-rotation-test")
"""
READ = """
from contacts.models import Contact
print(Contact.objects.get(service_request_id={pk}).email)
"""
SIGN = "from django.core import signing; print(signing.dumps('still me'))"
UNSIGN = "import sys; from django.core import signing; print(signing.loads(sys.stdin.read().strip()))"


@pytest.mark.django_db(transaction=True)
def test_contact_and_secret_keys_rotate_through_the_environment(jurisdiction, pothole):
    sr = ServiceRequestFactory(service_type=pothole)
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old_secret, new_secret = secrets.token_urlsafe(48), secrets.token_urlsafe(48)

    assert (
        manage(
            "shell", "--no-imports", "-c", SAVE.format(pk=sr.pk), overrides={"CIVIC311_CONTACT_KEYS": old}
        ).returncode
        == 0
    )
    # New key first, old key still there: rows open, and reencrypt_contacts rewrites them with the new one.
    both = {"CIVIC311_CONTACT_KEYS": f"{new},{old}"}
    assert shell(READ.format(pk=sr.pk), both) == "rotate@example.org"
    result = manage("reencrypt_contacts", overrides=both)
    assert result.returncode == 0, result.stderr
    # The old key is dropped, and the secret key rotated at the same time: contacts still open.
    after = {"CIVIC311_CONTACT_KEYS": new, "DJANGO_SECRET_KEY": new_secret}
    assert shell(READ.format(pk=sr.pk), after) == "rotate@example.org"
    assert shell(READ.format(pk=sr.pk), {"CIVIC311_CONTACT_KEYS": old}) == "exit 1"

    # A value signed with the old secret (sessions, trusted browsers) verifies while it is a fallback, not after.
    signed = shell(SIGN, {"DJANGO_SECRET_KEY": old_secret})
    with_fallback = {"DJANGO_SECRET_KEY": new_secret, "DJANGO_SECRET_KEY_FALLBACKS": old_secret}
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", UNSIGN],
        cwd=ROOT,
        input=signed,
        env=environment(with_fallback),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stdout.strip() == "still me", run.stderr
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", UNSIGN],
        cwd=ROOT,
        input=signed,
        env=environment({"DJANGO_SECRET_KEY": new_secret}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0 and "BadSignature" in run.stderr
