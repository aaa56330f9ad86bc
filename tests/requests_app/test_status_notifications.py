import time

import pytest
from django.contrib.gis.geos import Point
from django.core import mail

from contacts.models import Notification
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.services import ContactDetails
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Status
from tests.celery_worker import running_worker

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _filed(pothole, purposes):
    return submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.41, 37.77, srid=4326),
            contact=ContactDetails(email="resident@example.org", language="en", purposes=frozenset(purposes)),
        )
    )


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_filing_emails_the_tracking_link_at_once_to_a_requester_who_consented_to_updates(pothole):
    with running_worker():
        sr = _filed(pothole, {Purpose.STATUS_UPDATES})
        assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["resident@example.org"]
    assert mail.outbox[0].subject == f"We received your request {sr.public_id}"
    assert f"/track/{sr.tracking_token}/" in mail.outbox[0].body


def test_a_status_change_emails_a_requester_who_consented_to_updates(pothole, staff):
    with running_worker():
        sr = _filed(pothole, {Purpose.STATUS_UPDATES})
        change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="A crew is booked")
        assert _wait_for(lambda: len(mail.outbox) == 2)
    [status_mail] = [m for m in mail.outbox if "is now" in m.subject]
    assert status_mail.to == ["resident@example.org"]
    assert sr.public_id in status_mail.body


def test_no_message_without_consent_for_updates_nor_for_an_internal_note(pothole, staff):
    questions_only = _filed(pothole, {Purpose.DEPARTMENT_QUESTIONS})
    change_status(questions_only, to=Status.ACKNOWLEDGED, by=staff)
    updates = _filed(pothole, {Purpose.STATUS_UPDATES})
    change_status(updates, to=Status.SUBMITTED, by=staff, internal_note="Check the permit first")
    assert list(Notification.objects.values_list("service_request_id", "event")) == [(updates.pk, Event.RECEIVED)]
