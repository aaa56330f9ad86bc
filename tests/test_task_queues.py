"""Work is split over queues by kind, and the production shape has workers for every queue."""

import re
from pathlib import Path

import yaml
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_goes_to_a_declared_queue():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert ours
    assert {queue_of(name) for name in ours} <= set(settings.CELERY_TASK_QUEUE_NAMES)


def test_routing_notifications_and_exports_each_have_their_own_queue():
    assert queue_of("routing.tasks.route_request_task") == "routing"
    assert queue_of("contacts.tasks.send_notification_task") == "notifications"
    assert queue_of("frontend.public.tasks.refresh_public_statistics_task") == "exports"
    assert queue_of("requests_app.tasks.heartbeat_task") == "default"


def test_compose_starts_workers_for_every_queue_and_routing_alone():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed: dict[str, set[str]] = {}
    for name, service in services.items():
        command = service.get("command") or []
        if "celery" in command and "worker" in command:
            consumed[name] = set(command[command.index("--queues") + 1].split(","))
    assert set().union(*consumed.values()) == set(settings.CELERY_TASK_QUEUE_NAMES)
    assert {"routing"} in consumed.values()
    assert {"photos"} in consumed.values()


def test_make_run_gives_routing_a_worker_of_its_own():
    run = (ROOT / "scripts" / "run.sh").read_text()
    assert re.search(r"celery\" -A config worker .*--queues routing", run)
