import pytest
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
        sr = submit_request(Submission(service_type=pothole, location=Point(-122.4, 37.7, srid=4326),
                                       description="Deep pothole", channel=channel,
                                       contact=ContactDetails(**contact)))
        sr.department = department
        sr.save(update_fields=["department"])
        return sr
    return file
