import time

import pytest
from django.contrib.gis.geos import Point
from django.core import mail

from contacts.models import Notification
from contacts.purposes import Purpose
from contacts.services import ContactDetails
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Status
from tests.celery_worker import running_worker

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _filed(pothole, purposes):
    return submit_request(Submission(service_type=pothole, location=Point(-122.41, 37.77, srid=4326),
                                     contact=ContactDetails(email="resident@example.org", language="en",
                                                            purposes=frozenset(purposes))))


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_status_change_emails_a_requester_who_consented_to_updates(pothole, staff):
    with running_worker():
        sr = _filed(pothole, {Purpose.STATUS_UPDATES})
        change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="A crew is booked")
        assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["resident@example.org"]
    assert sr.public_id in mail.outbox[0].body


def test_no_message_without_consent_for_updates_nor_for_an_internal_note(pothole, staff):
    questions_only = _filed(pothole, {Purpose.DEPARTMENT_QUESTIONS})
    change_status(questions_only, to=Status.ACKNOWLEDGED, by=staff)
    updates = _filed(pothole, {Purpose.STATUS_UPDATES})
    change_status(updates, to=Status.SUBMITTED, by=staff, internal_note="Check the permit first")
    assert not Notification.objects.exists()
