"""`make loadtest` in small: a few seconds at a low rate through gunicorn with production settings and a real
Celery worker, on the test database: no errors, every acknowledged filing stored once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.gis.geos import Point
from django.db import connections

from bench import loadtest
from tests.celery_worker import running_worker
from tests.factories import ServiceRequestFactory
from tests.gunicorn_server import production_server


@pytest.fixture
def gunicorn(jurisdiction, pothole, team):
    for i in range(5):
        ServiceRequestFactory(service_type=pothole, location=Point(-122.41 + i / 100, 37.78, srid=4326))
    with production_server(workers=2) as base:
        yield base


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
