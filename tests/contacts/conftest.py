import pytest
from celery.signals import before_task_publish
from django.contrib.gis.geos import Point

from contacts.purposes import Purpose
from contacts.services import ContactDetails
from requests_app.services import Submission, submit_request

BOTH = frozenset({Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS})


@pytest.fixture
def file_request(pothole, department):
    """File a request through submit_request, routed to ``department``, with the given contact."""

    def file(channel="web", **contact):
        contact.setdefault("purposes", BOTH)
        sr = submit_request(
            Submission(
                service_type=pothole,
                location=Point(-122.4, 37.7, srid=4326),
                description="Deep pothole",
                channel=channel,
                contact=ContactDetails(**contact),
            )
        )
        sr.department = department
        sr.save(update_fields=["department"])
        return sr

    return file


@pytest.fixture
def published():
    """Every task message published while the test runs (arguments and headers), as text."""
    seen = []

    def record(body=None, headers=None, **kwargs):
        seen.append(repr(body) + repr(headers))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)
