"""`make loadtest` in small: a few seconds at a low rate through gunicorn with production settings and a real
Celery worker, on the test database: no errors, every acknowledged filing stored once."""

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connections

from bench import loadtest
from tests.celery_worker import running_worker
from tests.factories import ServiceRequestFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn(jurisdiction, pothole, team):
    for i in range(5):
        ServiceRequestFactory(service_type=pothole, location=Point(-122.41 + i / 100, 37.78, srid=4326))
    db = settings.DATABASES["default"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": "",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/open311/v2/discovery.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_short_mixed_load_has_no_errors_and_stores_every_acknowledged_filing(gunicorn):
    def load():
        try:
            return loadtest.run(gunicorn, rate=8, seconds=4)
        finally:
            connections.close_all()

    # Its own thread: in a full run pytest-playwright's event loop already runs in this one.
    with running_worker(), ThreadPoolExecutor(1) as pool:
        report = pool.submit(load).result()
    assert len(report.result.outcomes) == 32 and report.errors == [], report.text()
    assert report.acknowledged > 0 and report.acknowledged == report.stored, report.text()
