from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from contacts.models import Consent, Contact
from contacts.services import erase_expired_contacts
from requests_app.services import change_status
from requests_app.statuses import Status

pytestmark = pytest.mark.django_db


def _close(sr, staff):
    change_status(sr, to=Status.ACKNOWLEDGED, by=staff)
    return change_status(sr, to=Status.CLOSED, by=staff)


def _email(sr):
    return Contact.objects.get(service_request_id=sr.pk).email


def test_it_erases_contacts_of_requests_closed_longer_than_the_retention(file_request, staff, jurisdiction):
    sr = _close(file_request(email="old@example.org"), staff)
    assert erase_expired_contacts(now=timezone.now() + timedelta(days=29)) == 0
    assert _email(sr) == "old@example.org"
    assert erase_expired_contacts(now=timezone.now() + timedelta(days=31)) == 1
    assert _email(sr) == ""
    assert set(Consent.objects.filter(service_request_id=sr.pk).values_list("ended_by", flat=True)) == {
        Consent.Ending.RETENTION
    }


def test_each_jurisdiction_sets_its_own_retention(file_request, staff, jurisdiction):
    jurisdiction.contact_retention_days = 2
    jurisdiction.save()
    sr = _close(file_request(email="short@example.org"), staff)
    assert erase_expired_contacts(now=timezone.now() + timedelta(days=3)) == 1
    assert _email(sr) == ""


def test_open_requests_keep_their_contact(file_request):
    sr = file_request(email="open@example.org")
    assert erase_expired_contacts(now=timezone.now() + timedelta(days=3650)) == 0
    assert _email(sr) == "open@example.org"


def test_a_request_reopened_before_erasure_keeps_its_contact(file_request, staff):
    sr = _close(file_request(email="reopened@example.org"), staff)
    change_status(sr, to=Status.REOPENED, by=staff)
    assert erase_expired_contacts(now=timezone.now() + timedelta(days=31)) == 0
    assert _email(sr) == "reopened@example.org"


def test_a_request_reopened_after_erasure_stays_without_contact(file_request, staff):
    sr = _close(file_request(email="gone@example.org"), staff)
    erase_expired_contacts(now=timezone.now() + timedelta(days=31))
    change_status(sr, to=Status.REOPENED, by=staff)
    assert _email(sr) == "" and Contact.objects.get(service_request_id=sr.pk).erased_at is not None


def test_beat_runs_the_retention_task():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "contacts.tasks.erase_expired_contacts_task" in tasks
