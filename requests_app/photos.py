"""Photo intake and publishing: every photo of a request (resident form, offline outbox, Open311 ``media``, crew
photos) comes in through ``attach_photo``. It is validated, re-encoded without metadata (EXIF, GPS, camera
serials), renamed and kept privately; a worker then writes the public copy with faces and plates blurred
(``blur_photo``), and only that copy is ever linked publicly. Staff moderate photos here too.
"""

import io
import logging
import warnings
from datetime import timedelta

import cv2
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from PIL import Image, ImageOps, UnidentifiedImageError
from redis.exceptions import RedisError

from . import tasks
from .models import Photo, PhotoModeration, ServiceRequest
from .photo_detection import Box, DetectionFailed, Kind, blur_regions, detect

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # beyond this an image is more likely a decompression bomb than a phone photo
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MAX_EDGE = 2560
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class InvalidPhoto(ValueError):
    pass


class PreparedPhoto(ContentFile):
    """A photo prepare_photo has already cleaned: attach_photo stores it as it is."""


def prepare_photo(upload) -> PreparedPhoto:
    """Check an uploaded file is a real image and return it re-encoded as a JPEG with no metadata.

    Raises InvalidPhoto with a message for the resident.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidPhoto(_("The photo is too large (at most 10 MB)."))
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns about a likely decompression bomb; here it is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidPhoto(_("The photo has too many pixels."))
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise InvalidPhoto(_("Send a JPEG, PNG, WebP or GIF photo."))
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF described, then drop EXIF
            image = image.convert("RGB")
            image.thumbnail((MAX_EDGE, MAX_EDGE))
            clean = Image.new("RGB", image.size)
            clean.paste(image)  # a fresh image carries no info dict, ICC profile or XMP from the upload
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)
    except InvalidPhoto:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidPhoto(_("The photo has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidPhoto(_("This file is not a photo we can read.")) from None
    return PreparedPhoto(out.getvalue(), name="photo.jpg")


def attach_photo(
    service_request: ServiceRequest, upload, *, created_at=None, source: str = Photo.Source.RESIDENT
) -> Photo:
    """Add a photo to a request: cleaned (unless prepare_photo already did), kept privately, and queued for
    its blurred public copy once the transaction commits. Until that copy exists the photo is not public.

    Raises InvalidPhoto with a message for the sender.
    """
    clean = upload if isinstance(upload, PreparedPhoto) else prepare_photo(upload)
    now = created_at or timezone.now()
    photo = Photo.objects.create(
        service_request=service_request,
        original=clean,
        state=Photo.State.PENDING,
        created_at=now,
        changed_at=now,
        source=source,
    )
    transaction.on_commit(lambda: _enqueue_blurring(photo.pk))
    return photo


def link_photo(service_request: ServiceRequest, url: str, *, created_at=None) -> Photo:
    """Record a photo hosted elsewhere (an Open311 client's ``media_url``, imported data): linked, never fetched."""
    now = created_at or timezone.now()
    return Photo.objects.create(
        service_request=service_request,
        external_url=url[:500],
        state=Photo.State.PUBLIC,
        created_at=now,
        changed_at=now,
    )


def _enqueue_blurring(photo_id: int) -> None:
    # The photo waits in the database (state "pending"); if the broker is unreachable the sweep
    # (blur_waiting_photos) queues it later, and the resident never sees the error.
    try:
        tasks.blur_photo_task.delay(photo_id)
    except (KombuError, RedisError, OSError):
        logger.warning("could not enqueue blurring of photo %s; the sweep will", photo_id, exc_info=True)


def blur_waiting_photos(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Queue again the photos still waiting for their public copy (their task was lost). Returns how many."""
    since = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Photo.objects.waiting_for_blurring()
        .filter(changed_at__lt=since)
        .order_by("changed_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Restart each one's clock, so a long queue of photos is not queued again every minute.
    Photo.objects.filter(pk__in=ids).update(changed_at=timezone.now())
    for pk in ids:
        _enqueue_blurring(pk)
    return len(ids)


def _open_original(photo: Photo) -> Image.Image:
    try:
        with photo.original.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        raise DetectionFailed(Photo.Failure.MISSING) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise DetectionFailed(Photo.Failure.FORMAT)
            if image.width * image.height > MAX_PIXELS:
                raise DetectionFailed(Photo.Failure.TOO_LARGE)
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DetectionFailed(Photo.Failure.TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DetectionFailed(Photo.Failure.UNREADABLE) from None
    return image.convert("RGB")


def _blurred_copy(photo: Photo) -> tuple[bytes, list[Box]]:
    jurisdiction = photo.service_request.jurisdiction
    image = _open_original(photo)
    found = []
    if jurisdiction.photo_blurring and (jurisdiction.photo_blur_faces or jurisdiction.photo_blur_plates):
        found = detect(image, faces=jurisdiction.photo_blur_faces, plates=jurisdiction.photo_blur_plates)
    boxes = found + [Box(b["x"], b["y"], b["w"], b["h"], Kind.MANUAL) for b in photo.manual_boxes]
    out = io.BytesIO()
    blur_regions(image, boxes, strength=jurisdiction.photo_blur_strength).save(out, format="JPEG", quality=85)
    return out.getvalue(), found


def blur_photo(photo_id: int) -> Photo | None:
    """Write a waiting photo's public copy with faces, plates and staff's boxes blurred, and publish it; or
    record why it can't be checked (then it stays unpublished). Idempotent: other states are left alone.
    """
    photo = (
        Photo.objects.select_related("service_request__jurisdiction")
        .filter(pk=photo_id, state=Photo.State.PENDING)
        .exclude(original="")
        .first()
    )
    if photo is None:
        return None
    revision = photo.revision
    # Detection runs outside any transaction: it takes a second or more and holds no lock meanwhile.
    try:
        data, found = _blurred_copy(photo)
    except DetectionFailed as exc:
        return _record_failure(photo_id, revision, exc.code)
    except (cv2.error, MemoryError, SoftTimeLimitExceeded):
        logger.exception("photo %s: detection failed", photo_id)
        return _record_failure(photo_id, revision, Photo.Failure.ERROR)
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo_id)
        if photo.revision != revision or photo.state != Photo.State.PENDING:
            return photo  # staff moderated it meanwhile; the job their step queued writes the copy
        stale = photo.public_image.name
        photo.public_image.save("photo.jpg", ContentFile(data), save=False)
        photo.state, photo.failure, photo.changed_at = Photo.State.PUBLIC, "", timezone.now()
        photo.detected_boxes = [box.as_dict() for box in found]
        photo.save(update_fields=["public_image", "state", "failure", "changed_at", "detected_boxes"])
        _delete_on_commit(photo, stale)
    return photo


@transaction.atomic
def _record_failure(photo_id: int, revision: int, code: str) -> Photo | None:
    photo = Photo.objects.select_for_update().get(pk=photo_id)
    if photo.revision == revision and photo.state == Photo.State.PENDING:
        photo.state, photo.failure, photo.changed_at = Photo.State.FAILED, code, timezone.now()
        photo.save(update_fields=["state", "failure", "changed_at"])
    return photo


def _delete_on_commit(photo: Photo, name: str) -> None:
    if name:
        storage = photo.public_image.storage
        transaction.on_commit(lambda: storage.delete(name))


# Moderation: each step is one transaction with its PhotoModeration row and a note in the request's history.
# Every step but hiding drops the public copy at once and queues a new one: a photo being re-blurred is not
# public, so a face staff just boxed is never shown meanwhile.


def _moderate(photo: Photo, *, action: str, by, reason: str, box: dict | None = None) -> Photo:
    from .services import change_status  # services imports this module for filing

    locked = Photo.objects.select_for_update().select_related("service_request").get(pk=photo.pk)
    if locked.external_url and not locked.original:
        raise InvalidPhoto(_("This photo is hosted elsewhere; it can't be moderated here."))
    if action == PhotoModeration.Action.SHOW and locked.state != Photo.State.HIDDEN:
        raise InvalidPhoto(_("This photo is not hidden."))
    if action == PhotoModeration.Action.RETRY and locked.state != Photo.State.FAILED:
        raise InvalidPhoto(_("Only a photo that could not be checked can be checked again."))
    if action == PhotoModeration.Action.BLUR_BOX:
        locked.manual_boxes = [*locked.manual_boxes, box]
    hidden = action == PhotoModeration.Action.HIDE or (
        locked.state == Photo.State.HIDDEN and action == PhotoModeration.Action.BLUR_BOX
    )
    stale = locked.public_image.name
    locked.public_image = ""
    locked.state = Photo.State.HIDDEN if hidden else Photo.State.PENDING
    locked.failure = ""
    locked.revision += 1
    locked.changed_at = timezone.now()
    locked.save(update_fields=["manual_boxes", "public_image", "state", "failure", "revision", "changed_at"])
    _delete_on_commit(locked, stale)
    PhotoModeration.objects.create(photo=locked, at=locked.changed_at, actor=by, action=action, reason=reason, box=box)
    number = list(locked.service_request.photos.values_list("pk", flat=True)).index(locked.pk) + 1
    change_status(
        locked.service_request,
        to=locked.service_request.status,
        by=by,
        internal_note=_("Photo %(n)d: %(action)s. %(reason)s")
        % {"n": number, "action": PhotoModeration.Action(action).label, "reason": reason},
    )
    if locked.state == Photo.State.PENDING:
        transaction.on_commit(lambda: _enqueue_blurring(locked.pk))
    return locked


def _reason(reason: str) -> str:
    reason = reason.strip()[:300]
    if not reason:
        raise InvalidPhoto(_("Say why."))
    return reason


@transaction.atomic
def add_blur_box(photo: Photo, *, box: tuple[float, float, float, float], by, reason: str) -> Photo:
    """Blur one more region, given as (left, top, width, height) in percent of the photo, and make the public
    copy again. Raises InvalidPhoto for a box outside the photo or a missing reason."""
    reason = _reason(reason)
    left, top, width, height = box
    if not (0 <= left < 100 and 0 <= top < 100 and 0 < width <= 100 - left and 0 < height <= 100 - top):
        raise InvalidPhoto(_("The box must lie inside the photo."))
    if not photo.original:
        raise InvalidPhoto(_("This photo is hosted elsewhere; it can't be moderated here."))
    try:
        w, h = photo.original.width, photo.original.height
    except FileNotFoundError:
        w = h = None
    if not (w and h):
        raise InvalidPhoto(_("This photo can't be read; hide it instead."))
    pixels = {
        "x": round(w * left / 100),
        "y": round(h * top / 100),
        "w": max(1, round(w * width / 100)),
        "h": max(1, round(h * height / 100)),
        "kind": str(Kind.MANUAL),
    }
    return _moderate(photo, action=PhotoModeration.Action.BLUR_BOX, by=by, reason=reason, box=pixels)


@transaction.atomic
def hide_photo(photo: Photo, *, by, reason: str) -> Photo:
    """Take a photo out of every public output; its public copy is deleted. Raises InvalidPhoto without reason."""
    return _moderate(photo, action=PhotoModeration.Action.HIDE, by=by, reason=_reason(reason))


@transaction.atomic
def show_photo(photo: Photo, *, by, reason: str) -> Photo:
    """Publish a hidden photo again, once its blurred copy is made anew. Raises InvalidPhoto if not hidden."""
    return _moderate(photo, action=PhotoModeration.Action.SHOW, by=by, reason=_reason(reason))


@transaction.atomic
def retry_photo(photo: Photo, *, by, reason: str) -> Photo:
    """Check a photo that failed once more. Raises InvalidPhoto if it had not failed."""
    return _moderate(photo, action=PhotoModeration.Action.RETRY, by=by, reason=_reason(reason))
