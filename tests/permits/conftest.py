"""A city that issues street permits: a skip permit drawn as a line, priced per day, with a required PDF plan,
decided in 5 working days on a Monday-to-Friday week with California's holidays."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.gis.geos import LineString
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.pdfgen import canvas

from contacts.purposes import Purpose
from contacts.services import ContactDetails
from contacts.wording import PERMIT_WORDING_VERSION
from permits.models import DocumentRequirement, PermitType
from permits.pipeline import DocumentKind, FeeKind, GeometryKind
from permits.services import PermitApplication, apply_for_permit
from requests_app.models import ServiceType
from routing.models import RoutingSettings
from tests.factories import ServiceTypeFactory

WEEKDAYS = {str(d): ["08:00", "17:00"] for d in range(5)}
PACIFIC = ZoneInfo("America/Los_Angeles")
# A stretch of Market Street, about 60 m.
FRONTAGE = LineString((-122.4194, 37.7749), (-122.4188, 37.7752), srid=4326)


def plain_pdf(text: str = "Site plan") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A document-level script in the catalogue's /Names /JavaScript tree, run when the PDF opens."""
    writer = PdfWriter(clone_from=io.BytesIO(plain_pdf()))
    script = writer._add_object(
        DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hello');")}
        )
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("greeting"), script])}
            )
        }
    )
    return _written(writer)


def pdf_with_open_action() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(plain_pdf()))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    return _written(writer)


def pdf_with_launch_action() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(plain_pdf()))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    return _written(writer)


def pdf_with_attachment() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(plain_pdf()))
    writer.add_attachment("payload.exe", b"MZ not really")
    return _written(writer)


def _written(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "plan.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def at(day: date, hour: int = 10):
    """Travel to ``day`` at ``hour`` in San Francisco."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=PACIFIC), tick=False)


@pytest.fixture
def calendar(jurisdiction, department):
    return RoutingSettings.objects.create(
        jurisdiction=jurisdiction,
        triage_department=department,
        business_hours=WEEKDAYS,
        holiday_country="US",
        holiday_subdivision="CA",
    )


@pytest.fixture
def skip_permit(jurisdiction, calendar):
    service_type = ServiceTypeFactory(
        jurisdiction=jurisdiction, code="skip", name="Skip on the street", kind=ServiceType.Kind.PERMIT, group="Permits"
    )
    permit_type = PermitType.objects.create(
        service_type=service_type,
        geometry_kind=GeometryKind.LINE,
        min_notice_days=2,
        max_length_days=14,
        fee_kind=FeeKind.PER_DAY,
        fee_amount=Decimal("25.00"),
        decision_working_days=5,
        standard_conditions=[{"text": "Light the skip at night.", "text_translations": {"zh-hans": "夜间须照明。"}}],
    )
    DocumentRequirement.objects.create(
        permit_type=permit_type,
        code="plan",
        name="Site plan",
        kinds=[DocumentKind.PDF, DocumentKind.IMAGE],
        max_bytes=2 * 1024 * 1024,
    )
    return permit_type


APPLICANT = ContactDetails(
    first_name="Ana",
    email="ana@example.org",
    phone="+14155550100",
    language="en",
    purposes=frozenset({Purpose.PERMIT_DECISION}),
    wording_version=PERMIT_WORDING_VERSION,
)


@pytest.fixture
def apply(skip_permit):
    """File an application for the skip permit (place, dates and documents overridable)."""

    def file(starts_on: date, ends_on: date, **overrides):
        fields = dict(
            permit_type=skip_permit,
            geometry=FRONTAGE.clone(),
            starts_on=starts_on,
            ends_on=ends_on,
            address="1 Market St",
            description="Kitchen refit",
            documents={"plan": upload(plain_pdf())},
            contact=APPLICANT,
        )
        fields.update(overrides)
        return apply_for_permit(PermitApplication(**fields)).permit

    return file
