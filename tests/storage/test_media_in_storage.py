"""The same media behaviour on the local disk and in an S3 bucket (``media_storage`` runs each test on both):
originals and permit documents stay private and reach only who may see them, the worker writes the public
copy, and erasure deletes the files."""

import os
import subprocess
import sys
from datetime import date

import pytest
from django.urls import reverse

from bench.photo_set import astronaut
from contacts.services import erase_requester
from requests_app.models import Photo, ServiceRequest
from requests_app.photos import attach_photo, blur_photo
from tests.permits.conftest import at
from tests.requests_app.photo_helpers import jpeg_upload, photo_filed_with_the_form
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def streamed(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


@pytest.fixture
def photo(make_request, media_storage):
    """A photo attached and blurred, as the worker does it, in this test's storage."""
    return blur_photo(attach_photo(make_request(), jpeg_upload(astronaut().image)).pk)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_photo_sent_with_the_form_is_kept_privately_and_the_worker_publishes_its_blurred_copy(
    client, pothole, media_storage
):
    photo = photo_filed_with_the_form(client, pothole)

    assert photo.state == Photo.State.PUBLIC
    assert media_storage.stored() == {f"private/{photo.original.name}", f"public/{photo.public_image.name}"}
    copy = streamed(client.get(photo.public_image.url))
    assert copy == read(photo.public_image) and copy != read(photo.original)


def test_an_original_has_no_url_and_only_the_handling_department_gets_it(
    client, photo, staff, other_staff, media_storage
):
    with pytest.raises(ValueError):
        _ = photo.original.url
    assert photo.public_image.url.startswith("/media/")
    assert client.get(f"/media/{photo.original.name}").status_code == 404
    original = reverse("staff:photo_original", args=[photo.pk])
    assert client.get(original).status_code == 302  # to the sign-in page
    assert sign_in(client, other_staff).get(original).status_code == 403
    client.logout()
    assert streamed(sign_in(client, staff).get(original)) == read(photo.original)


def test_a_permit_document_reaches_the_applicant_and_the_deciding_department_only(
    client, apply, staff, other_staff, department, media_storage
):
    with at(date(2026, 11, 30)):
        permit = apply(date(2026, 12, 7), date(2026, 12, 11))
    ServiceRequest.objects.filter(pk=permit.service_request_id).update(department=department)
    document = permit.documents.get()
    assert media_storage.stored() == {f"permit-documents/{document.file.name}"}
    with pytest.raises(ValueError):
        _ = document.file.url
    sr = permit.service_request

    applicant = reverse("permit_pages:document", args=[sr.tracking_token, document.pk])
    sent = read(document.file)
    assert sent.startswith(b"%PDF-") and streamed(client.get(applicant)) == sent
    assert client.get(reverse("permit_pages:document", args=["x" * 40, document.pk])).status_code == 404
    for_staff = reverse("permit_staff:document", args=[sr.public_id, document.pk])
    assert client.get(for_staff).status_code == 302  # to the sign-in page
    assert sign_in(client, other_staff).get(for_staff).status_code in (403, 404)
    client.logout()
    assert streamed(sign_in(client, staff).get(for_staff)) == sent


def test_erasing_the_requesters_words_deletes_their_photos_files(
    photo, media_storage, django_capture_on_commit_callbacks
):
    assert len(media_storage.stored()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        erase_requester(photo.service_request_id, with_words=True, contact=False)
    assert media_storage.stored() == set()
    assert not Photo.objects.filter(pk=photo.pk).exists()


def test_public_copies_can_be_linked_at_a_cdn_that_the_content_security_policy_allows(photo, settings):
    settings.MEDIA_URL = "https://media.example.org/civic311/"
    assert photo.public_image.url == f"https://media.example.org/civic311/{photo.public_image.name}"
    # The policy is built once at start-up, from the environment a process starts with.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_MEDIA_URL": settings.MEDIA_URL}
    policy = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'https://media.example.org'" in policy
