"""Applicants' documents: PDFs opened and checked with pypdf, images re-encoded like request photos.

A PDF is refused if it can't be parsed, runs JavaScript (a /JS name tree, or an /OpenAction or any action of
type JavaScript or Launch), or carries embedded files: what a staff member opens must be a plain document.
"""

import io
import logging

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from requests_app.photos import InvalidPhoto, prepare_photo

from .pipeline import DocumentKind

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE"}
DANGEROUS_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia"}
MAX_OBJECTS_WALKED = 200_000


class InvalidDocument(ValueError):
    """A document we won't keep; the message tells the applicant why."""


def _walk(root) -> str | None:
    """The first dangerous key or action found anywhere under ``root`` (None when it is clean)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    walked = 0
    while stack:
        node = stack.pop()
        walked += 1
        if walked > MAX_OBJECTS_WALKED:
            return "too many objects"
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key in node.keys():
                if key in DANGEROUS_KEYS:
                    return key
            action = node.get("/S")
            if action in DANGEROUS_ACTIONS:
                return str(action)
            stack.extend(value for name, value in node.items() if name != "/Parent")
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def check_pdf(data: bytes) -> None:
    """Raise InvalidDocument unless ``data`` is a PDF pypdf parses with no script, launch action or attachment."""
    if not data.startswith(PDF_MAGIC):
        raise InvalidDocument(_("This file is not a PDF."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidDocument(_("The PDF is password-protected; send it without a password."))
        catalog = reader.trailer["/Root"].get_object()
        len(reader.pages)  # parse every page object
        found = _walk(catalog)
    except InvalidDocument:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, RecursionError, OSError) as exc:
        logger.info("refused a PDF pypdf could not read: %s", type(exc).__name__)
        raise InvalidDocument(_("This PDF is damaged or not a PDF we can read.")) from None
    if found:
        logger.info("refused a PDF carrying %s", found)
        raise InvalidDocument(
            _("This PDF contains scripts, actions or attached files. Print it to a plain PDF and send that instead.")
        )


def prepare_document(upload, *, kinds: list[str], max_bytes: int) -> tuple[str, ContentFile]:
    """Check an uploaded document against a requirement; return (kind, the file to keep).

    PDFs are kept as sent once checked; images are re-encoded without metadata. Raises InvalidDocument.
    """
    if upload.size > max_bytes:
        raise InvalidDocument(_("The file is too large (at most %(mb).1f MB).") % {"mb": max_bytes / 1024 / 1024})
    head = upload.read(5)
    upload.seek(0)
    if head == PDF_MAGIC:
        if DocumentKind.PDF not in kinds:
            raise InvalidDocument(_("This document must be a photo or image, not a PDF."))
        data = upload.read()
        check_pdf(data)
        return DocumentKind.PDF, ContentFile(data, name="document.pdf")
    if DocumentKind.IMAGE not in kinds:
        raise InvalidDocument(_("This document must be a PDF."))
    try:
        return DocumentKind.IMAGE, prepare_photo(upload)
    except InvalidPhoto as exc:
        raise InvalidDocument(str(exc)) from None
