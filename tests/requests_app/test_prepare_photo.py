"""Hostile uploads meet requests_app.photos.prepare_photo: each is refused with a message, or made harmless."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from requests_app.photos import MAX_UPLOAD_BYTES, InvalidPhoto, prepare_photo


def _image_bytes(fmt="JPEG", size=(64, 48), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def _upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_real_photo_comes_back_as_a_clean_jpeg():
    cleaned = prepare_photo(_upload(_image_bytes("PNG"), name="IMG_2024_home.png"))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
    assert cleaned.name == "photo.jpg"  # never the uploaded name


def test_a_file_larger_than_the_limit_is_refused():
    with pytest.raises(InvalidPhoto, match="too large"):
        prepare_photo(_upload(b"\xff\xd8" + b"0" * (MAX_UPLOAD_BYTES + 1)))


def test_text_with_a_photo_extension_is_refused():
    with pytest.raises(InvalidPhoto, match="not a photo"):
        prepare_photo(_upload(b"<script>alert(1)</script>", name="photo.jpg"))


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")  # a few KB on disk, 144 megapixels in memory
    assert len(out.getvalue()) < 100_000
    with pytest.raises(InvalidPhoto, match="too many pixels"):
        prepare_photo(_upload(out.getvalue(), name="bomb.png", content_type="image/png"))


def test_a_polyglot_loses_everything_that_is_not_the_picture():
    payload = b"<html><script>alert('polyglot')</script></html>"
    cleaned = prepare_photo(_upload(_image_bytes() + payload)).read()
    assert b"script" not in cleaned and b"polyglot" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).format == "JPEG"


def test_a_truncated_image_is_refused():
    with pytest.raises(InvalidPhoto):
        prepare_photo(_upload(_image_bytes()[:200]))


def test_vector_and_document_formats_are_refused_even_when_pillow_could_read_them():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="TIFF")
    with pytest.raises(InvalidPhoto, match="JPEG, PNG"):
        prepare_photo(_upload(out.getvalue(), name="scan.tiff", content_type="image/tiff"))
