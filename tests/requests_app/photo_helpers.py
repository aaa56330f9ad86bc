"""Photos for the tests: real faces from scikit-image (through bench/photo_set.py) as uploads, and pixel maths."""
import io

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_upload(image: Image.Image, name="IMG_0001.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pixels(field_file) -> np.ndarray:
    with field_file.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"), dtype=np.int16)


def mean_difference(a: np.ndarray, b: np.ndarray, box) -> float:
    """Mean absolute difference of two images' pixels inside box (x, y, w, h)."""
    x, y, w, h = box
    return float(np.abs(a[y:y + h, x:x + w] - b[y:y + h, x:x + w]).mean())


def detail(a: np.ndarray, box) -> float:
    """How much fine detail is left in box: the mean gradient between neighbouring pixels."""
    x, y, w, h = box
    grey = a[y:y + h, x:x + w].mean(axis=2)
    return float(np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean())
