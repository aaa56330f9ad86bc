"""The Celery app: the same Django settings, tasks discovered in every app's tasks.py."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, task_prerun

from .redaction import RedactingFilter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("civic311")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _check_database_connection(**kwargs):
    # Workers reuse their database connection between tasks (CELERY_DB_REUSE_MAX); like a web request, each
    # task first drops one that is broken (a PostgreSQL restart) or too old, so a worker heals by itself.
    from django.db import close_old_connections

    close_old_connections()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger=None, **kwargs):
    # Celery sets up its own handlers: they get the filter the web's LOGGING gives every line, once.
    for handler in getattr(logger, "handlers", []):
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
