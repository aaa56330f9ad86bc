"""Applicants' PDFs are opened with pypdf and refused when they carry scripts, launch actions or attachments;
images are re-encoded without their metadata, like request photos."""

import io

import pytest
from PIL import Image

from permits.documents import InvalidDocument, check_pdf, prepare_document
from permits.pipeline import DocumentKind

from .conftest import (
    pdf_with_attachment,
    pdf_with_javascript,
    pdf_with_launch_action,
    pdf_with_open_action,
    plain_pdf,
    upload,
)

BOTH = [DocumentKind.PDF, DocumentKind.IMAGE]


def test_a_plain_pdf_is_accepted_and_kept_byte_for_byte():
    data = plain_pdf()
    kind, content = prepare_document(upload(data), kinds=BOTH, max_bytes=10**6)
    assert kind == DocumentKind.PDF and content.read() == data


@pytest.mark.parametrize(
    "make", [pdf_with_javascript, pdf_with_open_action, pdf_with_launch_action, pdf_with_attachment]
)
def test_a_pdf_with_javascript_an_open_action_a_launch_action_or_an_attachment_is_refused(make):
    data = make()
    check_pdf(plain_pdf())  # the same document without them passes
    with pytest.raises(InvalidDocument, match="scripts, actions or attached files"):
        check_pdf(data)


def test_a_file_that_only_starts_like_a_pdf_is_refused_as_damaged():
    with pytest.raises(InvalidDocument, match="damaged"):
        check_pdf(b"%PDF-1.7\n this is not a PDF at all")


def test_an_image_is_re_encoded_as_a_jpeg_without_its_metadata():
    source = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a serial"
    Image.new("RGB", (40, 30), "red").save(source, format="PNG", exif=exif)
    kind, content = prepare_document(upload(source.getvalue(), "site.png", "image/png"), kinds=BOTH, max_bytes=10**6)
    with Image.open(content) as image:
        assert (kind, image.format, dict(image.getexif())) == (DocumentKind.IMAGE, "JPEG", {})


def test_a_document_of_the_wrong_kind_or_too_large_is_refused_with_a_reason():
    with pytest.raises(InvalidDocument, match="must be a PDF"):
        source = io.BytesIO()
        Image.new("RGB", (4, 4)).save(source, format="PNG")
        prepare_document(upload(source.getvalue(), "a.png", "image/png"), kinds=[DocumentKind.PDF], max_bytes=10**6)
    with pytest.raises(InvalidDocument, match="too large"):
        prepare_document(upload(plain_pdf()), kinds=BOTH, max_bytes=100)
