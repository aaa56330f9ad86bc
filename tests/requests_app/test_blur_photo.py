"""The public copy of a photo: faces and plates blurred beyond recovery, written only by blur_photo, and a photo
that can't be checked is never published."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from bench.photo_set import ASTRONAUT_FACE, astronaut, car_with_plate
from requests_app.models import BlurStrength, Photo
from requests_app.photos import attach_photo, blur_photo, blur_waiting_photos, hide_photo
from tests.factories import ServiceRequestFactory

from .photo_helpers import detail, jpeg_upload, mean_difference, pixels

pytestmark = pytest.mark.usefixtures("photo_folders")

# A corner of the astronaut photo far from her face: only JPEG noise may change there.
BACKGROUND = (10, 400, 100, 100)


@pytest.fixture
def sr(pothole):
    return ServiceRequestFactory(jurisdiction=pothole.jurisdiction, service_type=pothole)


def published(sr, image) -> Photo:
    photo = attach_photo(sr, jpeg_upload(image))
    return blur_photo(photo.pk)


def test_a_face_in_the_public_copy_differs_from_the_original_beyond_a_threshold(sr):
    photo = published(sr, astronaut().image)
    original, public = pixels(photo.original), pixels(photo.public_image)
    assert photo.state == Photo.State.PUBLIC
    assert [box["kind"] for box in photo.detected_boxes] == ["face"]
    assert mean_difference(original, public, ASTRONAUT_FACE) > 25
    assert detail(public, ASTRONAUT_FACE) < detail(original, ASTRONAUT_FACE) / 4  # no features left to read
    assert mean_difference(original, public, BACKGROUND) < 4  # the pothole stays as sharp as it was


def test_a_licence_plate_in_the_public_copy_is_unreadable(sr):
    sample = car_with_plate(160, "grass", seed=4)
    photo = published(sr, sample.image)
    original, public = pixels(photo.original), pixels(photo.public_image)
    assert "plate" in [box["kind"] for box in photo.detected_boxes]
    assert mean_difference(original, public, sample.plates[0]) > 25
    assert detail(public, sample.plates[0]) < detail(original, sample.plates[0]) / 4


def test_the_public_copy_is_a_different_file_from_the_original(sr):
    photo = published(sr, astronaut().image)
    with photo.original.open("rb") as a, photo.public_image.open("rb") as b:
        assert a.read() != b.read()
    assert photo.original.storage is not photo.public_image.storage


def test_a_photo_is_not_public_until_its_blurred_copy_exists(sr):
    photo = attach_photo(sr, jpeg_upload(astronaut().image))
    assert (photo.state, photo.public_image.name) == (Photo.State.PENDING, "")
    assert not Photo.objects.public().exists()
    blur_photo(photo.pk)
    assert list(Photo.objects.public()) == [photo]


def test_a_sensitive_type_never_publishes_its_photos(sr, pothole):
    published(sr, astronaut().image)
    pothole.sensitive = True
    pothole.save()
    assert not Photo.objects.public().exists()


def _stored(sr, data: bytes) -> Photo:
    # A file that reached private storage without prepare_photo (an old upload, a damaged disk).
    return Photo.objects.create(service_request=sr, original=ContentFile(data, name="x.jpg"))


def _encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "failure"),
    [
        (b"\xff\xd8\xff\xe0 not really a jpeg", Photo.Failure.UNREADABLE),
        (_encoded(Image.new("RGB", (64, 64)), "JPEG")[:300], Photo.Failure.UNREADABLE),
        (_encoded(Image.new("L", (5000, 3000)), "JPEG"), Photo.Failure.TOO_LARGE),
        (_encoded(Image.new("RGB", (64, 64)), "TIFF"), Photo.Failure.FORMAT),
    ],
    ids=["corrupt", "truncated", "huge", "tiff"],
)
def test_a_photo_whose_detection_fails_is_not_published_and_says_why(sr, data, failure):
    photo = blur_photo(_stored(sr, data).pk)
    assert (photo.state, photo.failure, photo.public_image.name) == (Photo.State.FAILED, failure, "")
    assert photo.failure_message  # what staff read
    assert not Photo.objects.public().exists()


def test_a_photo_whose_original_went_missing_is_not_published(sr):
    photo = attach_photo(sr, jpeg_upload(astronaut().image))
    photo.original.storage.delete(photo.original.name)
    photo = blur_photo(photo.pk)
    assert (photo.state, photo.failure) == (Photo.State.FAILED, Photo.Failure.MISSING)


def test_with_blurring_off_the_public_copy_is_the_cleaned_photo(sr):
    sr.jurisdiction.photo_blurring = False
    sr.jurisdiction.save()
    photo = published(sr, astronaut().image)
    assert photo.detected_boxes == []
    assert mean_difference(pixels(photo.original), pixels(photo.public_image), ASTRONAUT_FACE) < 4


def test_a_jurisdiction_can_blur_plates_and_not_faces(sr):
    sr.jurisdiction.photo_blur_faces = False
    sr.jurisdiction.save()
    photo = published(sr, astronaut().image)
    assert photo.detected_boxes == []
    sample = car_with_plate(160, "grass", seed=4)
    assert "plate" in [box["kind"] for box in published(sr, sample.image).detected_boxes]


def test_the_solid_strength_leaves_one_flat_colour(sr):
    sr.jurisdiction.photo_blur_strength = BlurStrength.SOLID
    sr.jurisdiction.save()
    photo = published(sr, astronaut().image)
    assert detail(pixels(photo.public_image), ASTRONAUT_FACE) < 1.5


def test_blurring_twice_changes_nothing(sr):
    photo = published(sr, astronaut().image)
    assert blur_photo(photo.pk) is None
    assert Photo.objects.get(pk=photo.pk).public_image == photo.public_image


def test_a_job_that_started_before_moderation_does_not_publish(sr, staff, monkeypatch):
    photo = attach_photo(sr, jpeg_upload(astronaut().image))
    from requests_app import photos

    real = photos._blurred_copy

    def hidden_meanwhile(p):
        result = real(p)
        hide_photo(p, by=staff, reason="A child's face")
        return result

    monkeypatch.setattr(photos, "_blurred_copy", hidden_meanwhile)
    blur_photo(photo.pk)
    photo.refresh_from_db()
    assert (photo.state, photo.public_image.name) == (Photo.State.HIDDEN, "")


def test_the_sweep_queues_photos_whose_task_was_lost(sr, monkeypatch):
    from requests_app import tasks

    queued = []
    monkeypatch.setattr(tasks.blur_photo_task, "delay", queued.append)
    photo = attach_photo(sr, jpeg_upload(astronaut().image))
    assert blur_waiting_photos(older_than_seconds=60) == 0  # too fresh: its own task may still be coming
    assert blur_waiting_photos(older_than_seconds=0) == 1
    assert queued == [photo.pk]
