"""Photos for the tests: real faces from scikit-image (through bench/photo_set.py) as uploads, and pixel maths."""

import io
import time

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bench.photo_set import astronaut
from requests_app.models import Photo
from tests.celery_worker import running_worker


def jpeg_upload(image: Image.Image, name="IMG_0001.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def wait_until_checked(pk: int, seconds: float = 60) -> Photo:
    """The photo once a worker has decided on it (published or held back)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        photo = Photo.objects.get(pk=pk)
        if photo.state != Photo.State.PENDING:
            return photo
        time.sleep(0.2)
    raise AssertionError(f"photo {pk} was not checked within {seconds}s")


def photo_filed_with_the_form(client, service_type) -> Photo:
    """A resident files a request with a photo of a face through the web form; a real Celery worker checks it."""
    form = {
        "lat": "37.7749",
        "lon": "-122.4194",
        "address": "",
        "description": "Pothole and a passer-by",
        "photos": jpeg_upload(astronaut().image),
    }
    with running_worker():
        response = client.post(
            reverse("frontend:report", args=[service_type.jurisdiction.slug, service_type.code]), form
        )
        assert response.status_code == 302, response.content
        return wait_until_checked(Photo.objects.get().pk)


def pixels(field_file) -> np.ndarray:
    with field_file.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"), dtype=np.int16)


def mean_difference(a: np.ndarray, b: np.ndarray, box) -> float:
    """Mean absolute difference of two images' pixels inside box (x, y, w, h)."""
    x, y, w, h = box
    return float(np.abs(a[y : y + h, x : x + w] - b[y : y + h, x : x + w]).mean())


def detail(a: np.ndarray, box) -> float:
    """How much fine detail is left in box: the mean gradient between neighbouring pixels."""
    x, y, w, h = box
    grey = a[y : y + h, x : x + w].mean(axis=2)
    return float(np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean())
