"""The Celery app: the same Django settings, tasks discovered in every app's tasks.py."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("civic311")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
