"""Photos filed through the resident form are blurred by a real Celery worker on the real Redis broker, and the
sweep catches photos whose task was never queued."""

from datetime import timedelta

import pytest

from bench.photo_set import astronaut
from config.celery import app
from requests_app.models import Photo
from requests_app.photos import attach_photo
from requests_app.tasks import blur_waiting_photos_task
from tests.celery_worker import running_worker
from tests.factories import ServiceRequestFactory

from .photo_helpers import jpeg_upload, photo_filed_with_the_form, wait_until_checked

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("photo_folders")]


def test_a_photo_from_the_resident_form_is_published_blurred_by_the_worker(client, pothole):
    photo = photo_filed_with_the_form(client, pothole)
    assert photo.state == Photo.State.PUBLIC
    assert [box["kind"] for box in photo.detected_boxes] == ["face"]


def test_with_the_broker_down_the_photo_waits_and_the_sweep_publishes_it(pothole, monkeypatch):
    sr = ServiceRequestFactory(jurisdiction=pothole.jurisdiction, service_type=pothole)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")  # nothing listens there
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    photo = attach_photo(sr, jpeg_upload(astronaut().image))  # committed at once: no transaction here
    assert Photo.objects.get(pk=photo.pk).state == Photo.State.PENDING
    monkeypatch.undo()
    app._pool = None
    app.amqp._producer_pool = None
    Photo.objects.filter(pk=photo.pk).update(changed_at=photo.changed_at - timedelta(minutes=5))
    with running_worker():
        blur_waiting_photos_task.delay()
        assert wait_until_checked(photo.pk).state == Photo.State.PUBLIC
