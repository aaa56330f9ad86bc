"""Staff moderation of photos: a blur box by hand, hiding and showing, checking again; each recorded with who and
why, each making a new public copy (or none)."""

import pytest
from django.core.files.base import ContentFile

from bench.photo_set import astronaut
from requests_app.models import Photo, PhotoModeration, StatusChange
from requests_app.photos import (
    InvalidPhoto,
    add_blur_box,
    attach_photo,
    blur_photo,
    hide_photo,
    retry_photo,
    show_photo,
)
from tests.factories import ServiceRequestFactory

from .photo_helpers import detail, jpeg_upload, mean_difference, pixels

pytestmark = pytest.mark.usefixtures("photo_folders")

# The lower right quarter of the 512x512 astronaut photo (the helmet on the table), in percent and pixels.
BOX_PERCENT = (50, 50, 50, 50)
BOX_PIXELS = (256, 256, 256, 256)


@pytest.fixture
def photo(pothole):
    sr = ServiceRequestFactory(jurisdiction=pothole.jurisdiction, service_type=pothole)
    return blur_photo(attach_photo(sr, jpeg_upload(astronaut().image)).pk)


def test_a_blur_box_by_hand_is_blurred_in_the_new_public_copy(photo, staff, django_capture_on_commit_callbacks):
    old_copy = photo.public_image.name
    with django_capture_on_commit_callbacks(execute=True):
        photo = add_blur_box(photo, box=BOX_PERCENT, by=staff, reason="A house number")
    assert (photo.state, photo.public_image.name) == (Photo.State.PENDING, "")  # not public meanwhile
    assert not photo.public_image.storage.exists(old_copy)
    photo = blur_photo(photo.pk)
    # Well inside the padded box, so the comparison reads only blurred pixels.
    inner = (300, 300, 170, 170)
    assert mean_difference(pixels(photo.original), pixels(photo.public_image), inner) > 15
    assert detail(pixels(photo.public_image), inner) < detail(pixels(photo.original), inner) / 4
    assert photo.manual_boxes == [{"x": 256, "y": 256, "w": 256, "h": 256, "kind": "manual"}]


def test_each_step_is_recorded_with_who_and_why(photo, staff):
    hide_photo(photo, by=staff, reason="Shows a child")
    step = PhotoModeration.objects.get()
    assert (step.actor, step.action, step.reason) == (staff, PhotoModeration.Action.HIDE, "Shows a child")
    note = StatusChange.objects.filter(service_request=photo.service_request).last()
    assert (note.actor, note.old_status, note.new_status) == (staff, note.new_status, photo.service_request.status)
    assert "Shows a child" in note.internal_note and note.public_note == ""


def test_a_hidden_photo_leaves_every_public_output_and_its_copy_is_deleted(
    photo, staff, django_capture_on_commit_callbacks
):
    copy = photo.public_image.name
    with django_capture_on_commit_callbacks(execute=True):
        photo = hide_photo(photo, by=staff, reason="Shows a child")
    assert photo.state == Photo.State.HIDDEN
    assert not Photo.objects.public().exists()
    assert not photo.public_image.storage.exists(copy)
    assert blur_photo(photo.pk) is None  # a stray job does not bring it back


def test_a_hidden_photo_shown_again_is_published_after_a_new_blurring(photo, staff):
    hide_photo(photo, by=staff, reason="Unsure")
    photo = show_photo(photo, by=staff, reason="Checked: nobody in it")
    assert photo.state == Photo.State.PENDING
    assert blur_photo(photo.pk).state == Photo.State.PUBLIC


def test_a_failed_photo_can_be_checked_again(photo, staff):
    Photo.objects.filter(pk=photo.pk).update(state=Photo.State.FAILED, failure=Photo.Failure.ERROR)
    photo.refresh_from_db()
    photo = retry_photo(photo, by=staff, reason="Worker was restarted")
    assert (photo.state, photo.failure) == (Photo.State.PENDING, "")
    assert blur_photo(photo.pk).state == Photo.State.PUBLIC


def test_only_a_failed_photo_is_checked_again(photo, staff):
    with pytest.raises(InvalidPhoto):
        retry_photo(photo, by=staff, reason="Why not")


def test_moderation_needs_a_reason(photo, staff):
    with pytest.raises(InvalidPhoto):
        hide_photo(photo, by=staff, reason="  ")
    assert not PhotoModeration.objects.exists()


@pytest.mark.parametrize("box", [(90, 0, 20, 10), (0, 0, 0, 10), (-1, 0, 10, 10)])
def test_a_box_outside_the_photo_is_refused(photo, staff, box):
    with pytest.raises(InvalidPhoto):
        add_blur_box(photo, box=box, by=staff, reason="Face")
    photo.refresh_from_db()
    assert photo.state == Photo.State.PUBLIC


def test_a_photo_linked_from_elsewhere_cannot_be_moderated(photo, staff):
    linked = Photo.objects.create(
        service_request=photo.service_request, external_url="https://example.org/p.jpg", state=Photo.State.PUBLIC
    )
    with pytest.raises(InvalidPhoto):
        hide_photo(linked, by=staff, reason="Face")


def test_an_unreadable_original_can_not_take_a_box(pothole, staff):
    sr = ServiceRequestFactory(jurisdiction=pothole.jurisdiction, service_type=pothole)
    broken = blur_photo(Photo.objects.create(service_request=sr, original=ContentFile(b"junk", name="j.jpg")).pk)
    with pytest.raises(InvalidPhoto):
        add_blur_box(broken, box=(0, 0, 10, 10), by=staff, reason="Face")
