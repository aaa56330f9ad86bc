import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "x",
    "DJANGO_SECRET_KEY": "y",
    "DJANGO_ALLOWED_HOSTS": "example.org",
    "EMAIL_URL": "smtp://mail.example.org:25",
    "DEFAULT_FROM_EMAIL": "311@example.org",
    "CIVIC311_CONTACT_KEYS": "k",
    "CIVIC311_SITE_URL": "https://311.example.org",
}


def test_docker_compose_file_is_valid_without_an_engine():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_production_shape():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis")
    assert "gunicorn" in services["web"]["command"]


def test_compose_refuses_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr


def _name(requirement: str) -> str:
    """A requirement's package name as pip compares them (case, "-", "_" and "." alike)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>~; ]", requirement.strip())[0]).lower()


def _pins(lock: str) -> tuple[dict[str, str], list[str]]:
    """A lock file's pins (package name -> line) and the files it includes (-r)."""
    pins, includes = {}, []
    for line in (ROOT / lock).read_text().splitlines():
        if line.startswith("-r "):
            includes.append(line.removeprefix("-r ").strip())
        elif line.strip() and not line.startswith("#"):
            pins[_name(line)] = line
    return pins, includes


def _direct(requirements: str) -> set[str]:
    lines = [line.split("#")[0] for line in (ROOT / requirements).read_text().splitlines()]
    return {_name(line) for line in lines if line.strip() and not line.startswith("-r ")}


def test_every_python_dependency_is_pinned_exactly():
    (runtime, runtime_includes), (development, development_includes) = (
        _pins("requirements.lock"),
        _pins("requirements-dev.lock"),
    )
    assert runtime and all("==" in line for line in runtime.values()) and runtime_includes == []
    assert development and all("==" in line for line in development.values())
    assert development_includes == ["requirements.lock"]  # the runtime set, pinned once, in its own lock
    assert not set(runtime) & set(development)
    assert _direct("requirements.in") <= set(runtime)
    assert _direct("requirements-dev.in") <= set(runtime) | set(development)


def test_the_running_application_installs_no_test_tools():
    runtime, development = _pins("requirements.lock")[0], _pins("requirements-dev.lock")[0]
    assert {"django", "djangorestframework", "celery", "psycopg", "gunicorn"} <= set(runtime)
    assert not {"pytest", "pytest-django", "factory-boy", "playwright", "schemathesis", "time-machine"} & set(runtime)
    assert {"pytest", "pytest-django", "factory-boy", "playwright"} <= set(development)


def test_compose_passes_every_setting_production_checks():
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    checked = {
        "DJANGO_SECRET_KEY",
        "DJANGO_SECRET_KEY_FALLBACKS",
        "CIVIC311_CONTACT_KEYS",
        "CIVIC311_SITE_URL",
        "EMAIL_URL",
        "CIVIC311_SMS_BACKEND",
        "CIVIC311_TWILIO_ACCOUNT_SID",
        "CIVIC311_TWILIO_AUTH_TOKEN",
        "CIVIC311_TWILIO_FROM",
        "DJANGO_TRUSTED_PROXIES",
    }
    assert checked <= set(app)
    # Never a console backend that prints messages and counts them as sent.
    assert "console" not in str(app)


def test_images_leave_out_secrets_backups_state_and_the_virtualenv():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "backups", ".state", ".venv"} <= set(ignored)
