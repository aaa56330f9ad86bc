import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from requests_app.photos import prepare_photo

SERIAL = "CANARY-SERIAL-4417"


def _phone_photo() -> bytes:
    """A JPEG as a phone makes it: GPS position, camera make and serial, a rotated orientation, XMP."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CanaryPhone"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 46.0, 29.7)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (122.0, 25.0, 9.8)
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 30, 30)).save(
        out, format="JPEG", exif=exif, xmp=b"<x:xmpmeta>canary-xmp</x:xmpmeta>"
    )
    return out.getvalue()


def test_the_generated_photo_really_carries_gps_and_a_serial():
    with Image.open(io.BytesIO(_phone_photo())) as image:
        exif = image.getexif()
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (37.0, 46.0, 29.7)
        assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] == SERIAL


def test_gps_serials_and_all_other_metadata_are_stripped():
    original = _phone_photo()
    cleaned = prepare_photo(SimpleUploadedFile("IMG_20261129_Jane_Doe.jpg", original, "image/jpeg")).read()
    with Image.open(io.BytesIO(cleaned)) as image:
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert image.size == (32, 64)  # the orientation was applied before the tag was dropped
    for marker in (b"CanaryPhone", SERIAL.encode(), b"canary-xmp", b"GPS", b"Exif\x00\x00"):
        assert marker not in cleaned


def test_the_uploaded_file_name_is_not_kept():
    cleaned = prepare_photo(SimpleUploadedFile("Jane_Doe_home.jpg", _phone_photo(), "image/jpeg"))
    assert cleaned.name == "photo.jpg"
