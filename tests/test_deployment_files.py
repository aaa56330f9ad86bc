import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_ENV = {"POSTGRES_PASSWORD": "x", "DJANGO_SECRET_KEY": "y", "DJANGO_ALLOWED_HOSTS": "example.org",
               "EMAIL_URL": "smtp://mail.example.org:25", "DEFAULT_FROM_EMAIL": "311@example.org",
               "CIVIC311_CONTACT_KEYS": "k", "CIVIC311_SITE_URL": "https://311.example.org"}


def test_docker_compose_file_is_valid_without_an_engine():
    result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            env={**os.environ, **COMPOSE_ENV}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_production_shape():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis")
    assert "gunicorn" in services["web"]["command"]


def test_compose_refuses_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr


def test_every_python_dependency_is_pinned_exactly():
    lines = [line for line in (ROOT / "requirements.lock").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all("==" in line for line in lines)
    names = {line.split("==")[0].lower() for line in lines}
    assert {"django", "djangorestframework", "celery", "psycopg", "pytest-django", "factory_boy"} <= names


def test_compose_passes_every_setting_production_checks():
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    checked = {"DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY_FALLBACKS", "CIVIC311_CONTACT_KEYS", "CIVIC311_SITE_URL",
               "EMAIL_URL", "CIVIC311_SMS_BACKEND", "CIVIC311_TWILIO_ACCOUNT_SID", "CIVIC311_TWILIO_AUTH_TOKEN",
               "CIVIC311_TWILIO_FROM", "DJANGO_TRUSTED_PROXIES"}
    assert checked <= set(app)
    # Never a console backend that prints messages and counts them as sent.
    assert "console" not in str(app)


def test_images_leave_out_secrets_backups_state_and_the_virtualenv():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "backups", ".state", ".venv"} <= set(ignored)
