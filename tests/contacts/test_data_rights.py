"""The requester's data rights cover everything they sent: the export holds it all; "erase" removes the contact
and, if they ask, their words and photos from public view; a restored backup brings none of it back."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import connection

from contacts.models import Contact
from contacts.purposes import Purpose
from contacts.services import ContactDetails
from requests_app.models import Photo, ServiceRequest
from requests_app.services import Submission, submit_request
from tests.test_backup_and_restore import ROOT, _database_url

WORDS = "Hole by my door, call 415-555-0123"


def _file(pothole, *, with_contact: bool = True) -> ServiceRequest:
    contact = ContactDetails(email="jane@example.org", language="en", purposes=frozenset({Purpose.STATUS_UPDATES}))
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.41, 37.77, srid=4326),
            address="12 Quiet Lane",
            description=WORDS,
            contact=contact if with_contact else ContactDetails(),
        )
    )
    # A photo whose blurred public copy exists (its private original beside it).
    Photo.objects.create(
        service_request=sr,
        original=ContentFile(b"\xff\xd8photo", name="p.jpg"),
        public_image=ContentFile(b"\xff\xd8blurred", name="p.jpg"),
        state=Photo.State.PUBLIC,
    )
    return sr


@pytest.mark.django_db
@pytest.mark.usefixtures("photo_folders")
def test_the_download_holds_the_description_answers_location_photos_and_contact(client, pothole):
    sr = _file(pothole)
    data = json.loads(client.get(f"/track/{sr.tracking_token}/data/download.json").content)
    report = data["report"]
    assert report["description"] == WORDS and report["public_description"] == "Hole by my door, call [removed]"
    assert report["location"] == [-122.41, 37.77] and report["address"] == "12 Quiet Lane"
    assert len(report["photos"]) == 1 and data["contact"]["details"]["email"] == "jane@example.org"


@pytest.mark.django_db
@pytest.mark.usefixtures("photo_folders")
def test_erase_with_words_removes_the_contact_the_public_text_and_the_photos(client, pothole):
    sr = _file(pothole)
    response = client.post(f"/track/{sr.tracking_token}/data/erase/", {"with_words": "on"})
    assert response.status_code == 302
    sr = ServiceRequest.objects.get(pk=sr.pk)
    assert (sr.public_description, sr.public_answers, sr.photos.count()) == ("", {}, 0)
    assert sr.description == WORDS  # staff keep the record
    assert Contact.objects.get(service_request_id=sr.pk).email == ""
    card = client.get(f"/map/{sr.jurisdiction.slug}/cards/{sr.public_id}.json").json()
    assert card["description"] == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("photo_folders")
def test_erase_without_words_keeps_the_public_text(client, pothole):
    sr = _file(pothole)
    client.post(f"/track/{sr.tracking_token}/data/erase/")
    sr = ServiceRequest.objects.get(pk=sr.pk)
    assert sr.public_description and sr.photos.count() == 1
    assert Contact.objects.get(service_request_id=sr.pk).email == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("photo_folders")
@pytest.mark.parametrize("with_contact", [False, True])
def test_a_requester_withdraws_their_words_and_photos_without_erasing_any_contact(client, pothole, with_contact):
    sr = _file(pothole, with_contact=with_contact)
    page = client.get(f"/track/{sr.tracking_token}/data/").content.decode()
    assert "Remove my description, answers and photos from public view" in page
    response = client.post(f"/track/{sr.tracking_token}/data/erase/", {"words_only": "on"})
    assert response.status_code == 302 and response["Location"].endswith("?done=words")
    sr = ServiceRequest.objects.get(pk=sr.pk)
    assert (sr.public_description, sr.public_answers, sr.photos.count()) == ("", {}, 0)
    assert sr.description == WORDS
    # Their updates go on: only the words were withdrawn.
    kept = [contact.email for contact in Contact.objects.filter(service_request_id=sr.pk)]
    assert kept == (["jane@example.org"] if with_contact else [])
    assert "Nothing you wrote or sent is in public view." in client.get(response["Location"]).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_never_brings_an_erased_contact_or_withdrawn_words_back(tmp_path, client, pothole, settings):
    ledger = tmp_path / "ledger.jsonl"
    settings.ERASURE_LEDGER_PATH = str(ledger)
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media"), str(tmp_path / "private")
    sr, kept = _file(pothole), _file(pothole)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_MEDIA_ROOT": settings.MEDIA_ROOT,
        "DJANGO_PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT,
        "ERASURE_LEDGER_PATH": str(ledger),
    }
    backup = tmp_path / "backup"
    subprocess.run(["bash", "scripts/backup.sh", str(backup)], cwd=ROOT, env=env, check=True, capture_output=True)

    client.post(f"/track/{sr.tracking_token}/data/erase/", {"with_words": "on"})
    assert [json.loads(line)["service_request_id"] for line in ledger.read_text().splitlines()] == [sr.pk, sr.pk]

    connection.close()
    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "1 contacts erased again, 1 requests' words withdrawn again" in result.stdout
    restored = ServiceRequest.objects.get(pk=sr.pk)
    assert Contact.objects.get(service_request_id=sr.pk).email == ""
    assert (restored.public_description, restored.photos.count()) == ("", 0)
    assert Contact.objects.get(service_request_id=kept.pk).email == "jane@example.org"
    photo = Photo.objects.get(service_request=kept)
    assert Path(settings.PRIVATE_MEDIA_ROOT, photo.original.name).exists()
    assert Path(settings.MEDIA_ROOT, photo.public_image.name).exists()
