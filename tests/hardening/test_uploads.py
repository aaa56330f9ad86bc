"""Hostile uploads through the resident form and Open311: refused with a clear message in the caller's format,
and nothing stored (no request, no Photo row, no file under MEDIA_ROOT)."""

import io
import json
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from open311.services import create_api_key
from requests_app.models import Photo, ServiceRequest

FORM = reverse("frontend:report", args=["sf.example", "pothole"])
OPEN311 = "/open311/v2/requests.json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # where originals go; under tmp_path too
    return tmp_path


@pytest.fixture
def api_key(jurisdiction):
    return create_api_key(application="Uploader", jurisdiction=jurisdiction)[1]


def image_bytes(fmt="JPEG", size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 1).save(out, format=fmt)
    return out.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def nothing_stored(media) -> bool:
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return ServiceRequest.objects.count() == 0 and Photo.objects.count() == 0 and files == []


HOSTILE = {
    "decompression bomb": lambda: upload("bomb.png", image_bytes("PNG", (20_000, 20_000), "1"), "image/png"),
    "wrong extension": lambda: upload("photo.jpg", b"<html><script>alert(1)</script></html>"),
    "polyglot": lambda: upload("photo.gif", b"GIF89a/*\x00\x00*/=1;alert(document.domain)//", "image/gif"),
    "oversized photo": lambda: upload("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 1)),
}


def form_fields(**extra):
    return {"address": "1 Market St", "description": "A hole", "lat": "37.78", "lon": "-122.41", **extra}


def open311_fields(api_key, **extra):
    return {"api_key": api_key, "service_code": "pothole", "lat": "37.78", "long": "-122.41", **extra}


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_form_refuses_a_hostile_photo_beside_the_field_and_stores_nothing(client, pothole, media, kind):
    response = client.post(FORM, form_fields(photos=[HOSTILE[kind]()]))
    assert response.status_code == 400
    assert response.context["errors"]["photos"]
    assert nothing_stored(media)


@pytest.mark.parametrize("kind", HOSTILE)
def test_open311_refuses_a_hostile_photo_with_an_error_list_and_stores_nothing(client, pothole, api_key, media, kind):
    response = client.post(OPEN311, open311_fields(api_key, media=HOSTILE[kind]()))
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"].startswith("media: ")
    assert nothing_stored(media)


def test_a_thousand_files_to_the_form_get_a_clear_page_and_nothing_is_stored(client, pothole, media):
    photos = [upload(f"p{i}.jpg", b"x") for i in range(1000)]
    response = client.post(FORM, form_fields(photos=photos))
    assert response.status_code == 400
    page = response.content.decode()
    assert "<main" in page and "Too many files: send at most 10." in page
    assert nothing_stored(media)


def test_a_thousand_files_to_the_form_from_a_script_get_json(client, pothole, media):
    response = client.post(
        FORM, form_fields(photos=[upload(f"p{i}.jpg", b"x") for i in range(1000)]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and response.json() == {"detail": "Too many files: send at most 10."}
    assert nothing_stored(media)


@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_a_thousand_files_to_open311_get_an_open311_error(client, pothole, api_key, media, suffix):
    fields = open311_fields(api_key, media=[upload(f"p{i}.jpg", b"x") for i in range(1000)])
    response = client.post(f"/open311/v2/requests.{suffix}", fields)
    assert response.status_code == 400
    if suffix == "json":
        assert response.json() == [{"code": 400, "description": "Too many files: send at most 10."}]
    else:
        error = ElementTree.fromstring(response.content).find("error")
        assert error.findtext("code") == "400" and "at most 10" in error.findtext("description")
    assert nothing_stored(media)


def test_four_photos_on_the_form_are_one_too_many(client, pothole, media):
    photos = [upload(f"p{i}.jpg", image_bytes()) for i in range(4)]
    response = client.post(FORM, form_fields(photos=photos))
    assert response.status_code == 400 and response.context["errors"]["photos"] == ["Send at most 3 photos."]
    assert nothing_stored(media)


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(client, pothole, api_key, media, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    big = upload("big.jpg", b"\xff\xd8\xff" + b"\0" * (1200 * 1024))
    response = client.post(OPEN311, open311_fields(api_key, media=big))
    assert response.status_code == 413
    assert json.loads(response.content) == [
        {"code": 413, "description": "What you sent is too large: at most 1 MB in all."}
    ]
    page = client.post(FORM, form_fields(photos=[upload("big.jpg", b"\0" * (1200 * 1024))]))
    assert page.status_code == 413 and "<main" in page.content.decode()
    assert nothing_stored(media)


def test_a_real_photo_with_a_payload_appended_is_stored_re_encoded_without_it(client, pothole, api_key, media):
    polyglot = upload("photo.jpg", image_bytes() + b"<script>alert(1)</script>PK\x03\x04")
    response = client.post(OPEN311, open311_fields(api_key, media=polyglot))
    assert response.status_code == 200
    [stored] = [p for p in media.rglob("*") if p.is_file()]
    assert b"<script>" not in stored.read_bytes() and b"PK\x03\x04" not in stored.read_bytes()
