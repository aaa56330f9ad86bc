"""No public URL ever serves a photo's original bytes: every public output is crawled for links, each linked
file fetched and hashed against the originals. Only blurred copies appear, and only once they exist."""

import hashlib
import io
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from bench.photo_set import astronaut, car_with_plate
from frontend.public.tiles import tile_for
from open311.services import create_api_key
from requests_app.models import Photo
from requests_app.photos import blur_photo, prepare_photo
from requests_app.public_location import public_point
from requests_app.services import Submission, submit_request
from requests_app.statuses import Channel
from tests.factories import tracking_token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_folders")]

WHERE = Point(-122.4194, 37.7749, srid=4326)
LINK = re.compile(r"(?:https?://testserver)?(/media/[^\"'<>\s\\]+)")


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def uploads():
    return {"face": _jpeg(astronaut().image), "plate": _jpeg(car_with_plate(160, "grass", seed=4).image)}


@pytest.fixture
def filed(client, jurisdiction, pothole, uploads):
    """One request from the web channel's service and one through Open311 with multipart media."""
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=WHERE,
            description="Pothole by the bus stop",
            channel=Channel.WEB,
            photos=[prepare_photo(SimpleUploadedFile("a.jpg", uploads["face"], content_type="image/jpeg"))],
        )
    )
    raw_key = create_api_key(application="Tester", jurisdiction=jurisdiction)[1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": raw_key,
            "service_code": "pothole",
            "lat": WHERE.y,
            "long": WHERE.x,
            "media": SimpleUploadedFile("b.jpg", uploads["plate"], content_type="image/jpeg"),
        },
    )
    assert response.status_code == 200, response.content
    filed_by_open311 = [p.service_request for p in Photo.objects.exclude(service_request=sr)]
    for other in filed_by_open311:
        tracking_token_for(other)
    return [sr, *filed_by_open311]


def _public_outputs(client, jurisdiction, requests, area):
    slug = jurisdiction.slug
    yield "open311 list", client.get("/open311/v2/requests.json?extensions=true")
    yield "open311 xml", client.get("/open311/v2/requests.xml?extensions=true")
    for sr in requests:
        yield "open311 one", client.get(f"/open311/v2/requests/{sr.public_id}.json?extensions=true")
        yield "track page", client.get(f"/track/{sr.tracking_token}/")
        yield "public page", client.get(f"/requests/{sr.public_id}/")
        yield "map card", client.get(f"/map/{slug}/cards/{sr.public_id}.json")
        point = public_point(sr)
        for z in (12, 18):
            tile = tile_for(point.x, point.y, z)
            yield "tile", client.get(f"/map/{slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt")
    yield "csv", client.get(f"/open-data/{slug}/requests.csv")
    yield "geojson", client.get(f"/open-data/{slug}/requests.geojson")
    yield "area feed", client.get(f"/feeds/{slug}/areas/{area.pk}/rss/")
    yield "type feed", client.get(f"/feeds/{slug}/types/pothole/atom/")
    yield "home", client.get("/")
    yield "map", client.get(f"/map/{slug}/")


def _crawl(client, jurisdiction, requests, area) -> dict[str, str]:
    """Every file any public output links under /media/, by its SHA-256."""
    served = {}
    for name, response in _public_outputs(client, jurisdiction, requests, area):
        assert response.status_code == 200, name
        for path in set(LINK.findall(_body(response).decode("utf-8", "replace"))):  # vector tiles are binary
            linked = client.get(path)
            assert linked.status_code == 200, path
            served[hashlib.sha256(_body(linked)).hexdigest()] = path
    return served


def _original_hashes(uploads) -> set[str]:
    hashes = {hashlib.sha256(data).hexdigest() for data in uploads.values()}
    for photo in Photo.objects.exclude(original=""):
        with photo.original.open("rb") as handle:
            hashes.add(hashlib.sha256(handle.read()).hexdigest())
    return hashes


def test_no_public_output_links_a_photo_before_its_blurred_copy_exists(client, jurisdiction, filed, mission):
    assert _crawl(client, jurisdiction, filed, mission) == {}


def test_every_linked_photo_is_a_blurred_copy_and_none_is_an_original(client, jurisdiction, filed, mission, uploads):
    for photo in Photo.objects.all():
        blur_photo(photo.pk)
    served = _crawl(client, jurisdiction, filed, mission)
    copies = {p.public_image.name for p in Photo.objects.all()}
    assert {path.removeprefix("/media/") for path in served.values()} == copies  # both are published...
    assert not set(served) & _original_hashes(uploads)  # ...and neither is an original


def test_an_original_is_not_reachable_under_the_public_media_path(client, filed):
    for photo in Photo.objects.all():
        assert client.get(f"/media/{photo.original.name}").status_code == 404
        with pytest.raises(ValueError):
            _ = photo.original.url  # private storage has no URL to leak


def test_a_sensitive_type_links_no_photo_anywhere(client, jurisdiction, filed, mission, pothole):
    for photo in Photo.objects.all():
        blur_photo(photo.pk)
    pothole.sensitive = True
    pothole.save()
    assert _crawl(client, jurisdiction, filed, mission) == {}
