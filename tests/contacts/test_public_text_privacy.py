"""Identifiers of every kind, written in many ways, filed through every channel, found in no public output.

A resident of San Francisco writes in English and one of Shenzhen in Chinese; each files through the web form
and through Open311 (JSON and XML, with and without an Idempotency-Key), puts the identifiers in the description
and in a free-text answer, and staff quote them in a public note. Then every public output is read in both
languages. A test that puts the original text where the public text belongs proves that the reading catches it.
"""

import io
import itertools

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from PIL import Image

from frontend.public.stats import refresh_statistics
from frontend.public.tiles import tile_for
from open311.services import create_api_key
from requests_app.models import Question, ServiceRequest
from requests_app.photos import blur_photo
from requests_app.public_location import public_point
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import (
    AreaFactory,
    AreaLayerFactory,
    DepartmentFactory,
    JurisdictionFactory,
    QuestionFactory,
    ServiceTypeFactory,
    square,
)

pytestmark = pytest.mark.django_db

# (as written, what must not come out): several forms of each kind.
ENGLISH = [
    ("Call 415-555-0123 tonight", "555-0123"),
    ("ring (415) 555 0124", "555 0124"),
    ("phone 415 - 555 - 0125 please", "555 - 0125"),
    ("text +1 415 555 0126", "555 0126"),
    ("full width ４１５５５５０１２７", "５５５０１２７"),
    ("spaced 4 1 5 5 5 5 0 1 2 8", "5 0 1 2 8"),
    ("dotted 415.555.0129", "555.0129"),
    ("mail jeanette.quimby@example.org", "jeanette.quimby"),
    ("mail jquimby2(at)example.org", "jquimby2"),
    ("or jroe7 [at] gmail [dot] com", "jroe7"),
    ("or rpike at gmail dot com", "rpike"),
    ("My name is Jeanette Quimby", "Quimby"),
    ("I'm Rosalind Pike", "Rosalind"),
    ("card 4111 1111 1111 1111", "1111 1111"),
    ("card 5500-0000-0000-0004", "0000-0004"),
    ("SSN: 536-22-8726", "22-8726"),
    ("social 536 22 8731", "22 8731"),
    ("plate 7ABC123 blocks it", "7ABC123"),
    ("license plate: 8XYZ456", "8XYZ456"),
    ("Telegram @quimby_sf", "quimby_sf"),
    ("WhatsApp: +1 415 555 0130", "555 0130"),
]
CHINESE = [
    ("电话13812345678", "12345678"),
    ("手机 139 2345 6789", "2345 6789"),
    ("手机137-3456-7890", "3456-7890"),
    ("全角１３６１２３４５６７８", "１２３４５６７８"),
    ("手机一三五一二三四五六七八", "一三五一二三四五六七八"),
    ("+86 158 1234 5679", "1234 5679"),
    ("香港 +852 9123 4567", "9123 4567"),
    ("固话0755-8888 6666", "8888 6666"),
    ("身份证11010519491231002X", "19491231002X"),
    ("银行卡 6222 0212 3456 7890 128", "7890 128"),
    ("卡号6222021234567890128", "021234567890128"),
    ("邮箱 zhang.wei(at)qq.com", "zhang.wei"),
    ("邮箱lisi88艾特163点com", "lisi88"),
    ("ｗａｎｇｆａｎｇ＠１６３．ｃｏｍ", "ｗａｎｇｆａｎｇ"),
    ("加微信 wxid_abc123", "wxid_abc123"),
    ("vx：hello2024", "hello2024"),
    ("QQ号：87654321", "87654321"),
    ("我叫王小明", "小明"),
    ("本人张伟", "张伟"),
    ("我是李娜", "李娜"),
    ("车牌粤B12345", "B12345"),
    ("粤B·D12346", "D12346"),
]
SENSITIVE_PLACE = {"address": "1234 Quiet Lane Apt 5B", "address_id": "PARCEL-77131", "zipcode": "94110"}
SENSITIVE_NEEDLES = ("Quiet Lane", "PARCEL-77131", "94110")
LANGUAGES = ("en", "zh-hans")


def _text(entries) -> str:
    return "。\n".join(written for written, _needle in entries)


def _needles(entries) -> list[str]:
    return [needle for _written, needle in entries]


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="PNG")
    return SimpleUploadedFile("IMG_0001.png", out.getvalue(), content_type="image/png")


class City:
    def __init__(self, slug, regions, entries, point, language):
        self.jurisdiction = JurisdictionFactory(
            slug=slug, regions=regions, languages=[language, "en"], published_contacts=["311", "12345"]
        )
        self.department = DepartmentFactory(jurisdiction=self.jurisdiction, code=f"works-{slug}")
        self.entries, self.point = entries, point
        layer = AreaLayerFactory(jurisdiction=self.jurisdiction, code="districts")
        self.area = AreaFactory(layer=layer, code="centre", boundary=square(point[0] - 0.05, point[1] - 0.05, 0.1))
        self.types = {}
        for code, sensitive in (("lamp", False), ("noise", True)):
            st = ServiceTypeFactory(jurisdiction=self.jurisdiction, code=code, sensitive=sensitive)
            QuestionFactory(service_type=st, code="details", datatype=Question.Datatype.TEXT, order=1)
            self.types[code] = st
        self.api_key = create_api_key(application="Privacy suite", jurisdiction=self.jurisdiction)[1]


def _file_everywhere(client, city: City, code: str, place: dict) -> None:
    """File the same words through the form and Open311, both formats, with and without idempotency."""
    text = _text(city.entries)
    slug = city.jurisdiction.slug
    lon, lat = city.point
    form = {"description": text, "q_details": text, "lat": lat, "lon": lon, "address": place.get("address", "")}
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": f"privacy-form-{code}-{slug.replace('.', '-')}"}):
        response = client.post(f"/{slug}/report/{code}/", form, HTTP_ACCEPT="application/json", **headers)
        assert response.status_code == 201, response.content.decode()
    for fmt, key in itertools.product(("json", "xml"), (None, "privacy-open311")):
        data = {
            "api_key": city.api_key,
            "jurisdiction_id": slug,
            "service_code": code,
            "lat": lat,
            "long": lon,
            "description": text,
            "attribute[details]": text,
            "address_string": place.get("address", ""),
            "address_id": place.get("address_id", ""),
            "zipcode": place.get("zipcode", ""),
            "media": _png(),
        }
        headers = {"Idempotency-Key": f"{key}-{slug}-{code}-{fmt}"} if key else None
        response = client.post(f"/open311/v2/requests.{fmt}", data, headers=headers)
        assert response.status_code == 200, response.content


def _staff_quote_the_resident(city: City, staff) -> None:
    for sr in ServiceRequest.objects.filter(jurisdiction=city.jurisdiction):
        ServiceRequest.objects.filter(pk=sr.pk).update(department=city.department)
        change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Resident wrote: " + _text(city.entries))


def _body(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def public_outputs(client, city: City, language: str):
    """Every public output that carries a request, as (name, text), read in ``language``."""
    j = city.jurisdiction
    slug, query = j.slug, f"jurisdiction_id={j.slug}"
    get = lambda url: client.get(url, HTTP_ACCEPT_LANGUAGE=language)  # noqa: E731
    requests = list(ServiceRequest.objects.filter(jurisdiction=j).select_related("service_type"))
    for fmt in ("json", "xml"):
        yield f"open311 list {fmt}", _body(get(f"/open311/v2/requests.{fmt}?{query}"))
        yield f"open311 list {fmt} extensions", _body(get(f"/open311/v2/requests.{fmt}?{query}&extensions=true"))
        yield f"open311 updates {fmt}", _body(get(f"/open311/v2/servicerequestupdates.{fmt}?{query}"))
        for sr in requests:
            yield (
                f"open311 {sr.public_id}.{fmt}",
                _body(get(f"/open311/v2/requests/{sr.public_id}.{fmt}?{query}&extensions=true")),
            )
    for sr in requests:
        yield f"card {sr.public_id}", _body(get(f"/map/{slug}/cards/{sr.public_id}.json"))
        yield f"public page {sr.public_id}", _body(get(f"/requests/{sr.public_id}/"))
        point = public_point(sr)
        for z in (12, 14, 16, 18):
            tile = tile_for(point.x, point.y, z)
            yield f"tile z{z}", _body(get(f"/map/{slug}/tiles/{tile.z}/{tile.x}/{tile.y}.mvt"))
    yield "map page", _body(get(f"/map/{slug}/"))
    yield "csv", _body(get(f"/open-data/{slug}/requests.csv"))
    yield "geojson", _body(get(f"/open-data/{slug}/requests.geojson"))
    for kind in ("rss", "atom"):
        yield f"area feed {kind}", _body(get(f"/feeds/{slug}/areas/{city.area.pk}/{kind}/"))
        for code in city.types:
            yield f"{code} feed {kind}", _body(get(f"/feeds/{slug}/types/{code}/{kind}/"))
    refresh_statistics(j)
    yield "stats", _body(get(f"/stats/{slug}/"))
    for table in ("per-type", "per-area", "per-month"):
        yield f"stats {table} csv", _body(get(f"/stats/{slug}/{table}.csv"))


def leaks(outputs, needles) -> dict[str, list[str]]:
    found = {}
    for name, text in outputs:
        hits = [needle for needle in needles if needle in text]
        if hits:
            found[name] = hits
    return found


@pytest.fixture
def cities(db):
    cache.clear()  # rate-limit counters of earlier tests
    return {
        "sf": City("sf.example", ["US"], ENGLISH, (-122.4194, 37.7749), "en"),
        "sz": City("sz.example", ["CN", "HK"], CHINESE, (114.0579, 22.5431), "zh-hans"),
    }


@pytest.fixture
def filed(client, cities, staff):
    for city in cities.values():
        _file_everywhere(client, city, "lamp", {})
        _file_everywhere(client, city, "noise", SENSITIVE_PLACE)
        _staff_quote_the_resident(city, staff)
    return cities


@pytest.mark.parametrize("city_key", ["sf", "sz"])
def test_no_identifier_of_any_kind_reaches_any_public_output_in_either_language(client, filed, city_key):
    city = filed[city_key]
    assert ServiceRequest.objects.filter(jurisdiction=city.jurisdiction).count() == 12
    for language in LANGUAGES:
        outputs = list(public_outputs(client, city, language))
        assert leaks(outputs, _needles(city.entries)) == {}
        # The outputs did publish the requests, with what was left of the words.
        assert any("[removed]" in text for name, text in outputs if name.startswith("card"))
        assert any("[removed]" in text for name, text in outputs if name == "csv")


@pytest.mark.parametrize("city_key", ["sf", "sz"])
def test_a_sensitive_requests_address_zipcode_and_photo_reach_no_public_output(client, filed, city_key):
    city = filed[city_key]
    noise = ServiceRequest.objects.filter(service_type=city.types["noise"])
    assert noise.filter(photos__isnull=False).count() == 4
    photo_paths = [f"photos/{public_id}/" for public_id in noise.values_list("public_id", flat=True)]
    for language in LANGUAGES:
        found = leaks(public_outputs(client, city, language), [*SENSITIVE_NEEDLES, *photo_paths])
        assert found == {}
    # The ordinary requests' photos are still published: the check above is not empty by accident.
    lamp = ServiceRequest.objects.filter(service_type=city.types["lamp"], photos__isnull=False).first()
    for photo_id in lamp.photos.values_list("pk", flat=True):
        blur_photo(photo_id)  # what the photo worker does: only a blurred copy is ever published
    body = _body(client.get(f"/open311/v2/requests/{lamp.public_id}.json?jurisdiction_id={city.jurisdiction.slug}"))
    assert f"photos/{lamp.public_id}/" in body


def test_the_suite_catches_an_output_that_shows_the_original_text(client, filed):
    city = filed["sz"]
    # Bypass the stored public text: what an output that forgot it would show.
    ServiceRequest.objects.filter(jurisdiction=city.jurisdiction).update(public_description=F("description"))
    found = leaks(public_outputs(client, city, "zh-hans"), _needles(city.entries))
    assert {"csv", "geojson", "open311 list json", "open311 list xml", "lamp feed rss"} <= set(found)
    assert any(name.startswith("card") for name in found)
    assert set(found["csv"]) == set(_needles(city.entries))


def test_the_staff_keep_the_original_text(filed):
    city = filed["sf"]
    sr = ServiceRequest.objects.filter(jurisdiction=city.jurisdiction).first()
    assert "jeanette.quimby@example.org" in sr.description and "jeanette.quimby" not in sr.public_description
    assert "[removed]" in sr.public_answers["details"]
