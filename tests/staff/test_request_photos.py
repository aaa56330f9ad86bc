"""Photos on the staff request page: the handling department sees and moderates the original; everyone else on
the staff sees at most the public copy."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from bench.photo_set import astronaut
from requests_app.models import Photo, PhotoModeration
from requests_app.photos import attach_photo, blur_photo
from tests.requests_app.photo_helpers import jpeg_upload

from .conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_folders")]


@pytest.fixture
def photo(make_request):
    return blur_photo(attach_photo(make_request(), jpeg_upload(astronaut().image)).pk)


def _original(pk):
    return reverse("staff:photo_original", args=[pk])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_handling_department_gets_the_original_uncached(client, staff, photo):
    response = sign_in(client, staff).get(_original(photo.pk))
    with photo.original.open("rb") as handle:
        assert _sha(b"".join(response.streaming_content)) == _sha(handle.read())
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["other_staff", "nobody"])
def test_staff_of_another_department_and_non_staff_get_no_original(client, request, photo, who):
    response = sign_in(client, request.getfixturevalue(who)).get(_original(photo.pk))
    assert response.status_code == 403


def test_staff_of_another_city_do_not_learn_the_photo_exists(client, foreign_staff, photo):
    assert sign_in(client, foreign_staff).get(_original(photo.pk)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, photo):
    response = client.get(_original(photo.pk))
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


def test_the_request_page_shows_the_original_to_the_handling_department(client, staff, photo):
    page = sign_in(client, staff).get(reverse("staff:request", args=[photo.service_request.public_id])).content
    assert _original(photo.pk).encode() in page
    assert photo.public_image.url.encode() not in page


def test_the_request_page_shows_only_the_public_copy_to_another_department(client, other_staff, photo):
    page = sign_in(client, other_staff).get(reverse("staff:request", args=[photo.service_request.public_id])).content
    assert photo.public_image.url.encode() in page
    assert _original(photo.pk).encode() not in page
    assert reverse("staff:moderate_photo", args=[photo.pk]).encode() not in page


def test_staff_see_why_a_photo_was_not_published(client, staff, make_request):
    broken = Photo.objects.create(service_request=make_request(), original=ContentFile(b"junk", name="j.jpg"))
    blur_photo(broken.pk)
    page = sign_in(client, staff).get(reverse("staff:request", args=[broken.service_request.public_id]))
    assert str(Photo.Failure.UNREADABLE.label) in page.content.decode()


def test_the_handling_department_hides_a_photo_from_the_page(client, staff, photo):
    response = sign_in(client, staff).post(
        reverse("staff:moderate_photo", args=[photo.pk]), {"action": "hide", "reason": "A child in the picture"}
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.state == Photo.State.HIDDEN
    page = client.get(reverse("staff:request", args=[photo.service_request.public_id])).content.decode()
    assert "A child in the picture" in page


def test_a_blur_box_needs_all_four_sides(client, staff, photo):
    sign_in(client, staff).post(
        reverse("staff:moderate_photo", args=[photo.pk]), {"action": "blur_box", "reason": "Face", "left": "10"}
    )
    assert not PhotoModeration.objects.exists()


def test_another_department_may_not_moderate(client, other_staff, photo):
    response = sign_in(client, other_staff).post(
        reverse("staff:moderate_photo", args=[photo.pk]), {"action": "hide", "reason": "Mine now"}
    )
    assert response.status_code == 403
    assert Photo.objects.get(pk=photo.pk).state == Photo.State.PUBLIC
