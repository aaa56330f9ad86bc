"""Area alerts through a real Celery worker on the real Redis broker: the confirmation, then the alert."""

import time

import pytest
from django.contrib.gis.geos import Point
from django.core import mail

from contacts.services import confirm_area_alert, subscribe_to_area_alerts
from requests_app.services import Submission, submit_request
from tests.celery_worker import running_worker
from tests.factories import AreaFactory, AreaLayerFactory, square

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery]


def wait_for_mail(count, seconds=30):
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == count


def test_a_real_worker_mails_the_confirmation_and_then_the_alert_of_a_new_request(jurisdiction, pothole):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    mission = AreaFactory(layer=layer, code="mission", name="Mission", boundary=square(-122.45, 37.75, 0.05))
    with running_worker():
        alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email="neighbour@example.org", area=mission)
        wait_for_mail(1)
        confirm_area_alert(alert.token)
        sr = submit_request(Submission(service_type=pothole, location=Point(-122.42, 37.77, srid=4326)))
        wait_for_mail(2)
    assert "/alerts/confirm/" in mail.outbox[0].body
    assert sr.public_id in mail.outbox[1].subject
