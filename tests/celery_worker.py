"""A real Celery worker, in this process, consuming from the real Redis broker."""

import contextlib

from celery.contrib.testing.worker import start_worker

from config.celery import app


@contextlib.contextmanager
def running_worker():
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    ):
        yield
