"""The certificate of an issued permit: a one-page PDF (ReportLab) with a QR code to its public verification
page. It shows what the verification page shows (type, place, dates, conditions) and nothing of the applicant."""

import io
from textwrap import wrap

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

# A CID font every PDF reader has (Adobe's Asian font packs): Chinese text with no font file to ship.
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _font(language: str) -> str:
    return CJK_FONT if language.startswith("zh") else "Helvetica"


def certificate_pdf(permit, *, verification_url: str, language: str) -> bytes:
    """The certificate as PDF bytes, in ``language``."""
    with translation.override(language):
        return _draw(permit, verification_url, _font(language), language)


def _draw(permit, verification_url: str, font: str, language: str) -> bytes:
    sr = permit.service_request
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(_("Permit %(id)s") % {"id": sr.public_id})
    width, height = A4
    left, y = 20 * mm, height - 25 * mm
    wide = language.startswith("zh")

    def line(text: str, size: int = 11, gap: float = 6.5 * mm, bold: bool = False):
        nonlocal y
        page.setFont("Helvetica-Bold" if bold and not wide else font, size)
        for part in wrap(text, 48 if wide else 90) or [""]:
            page.drawString(left, y, part)
            y -= gap

    line(sr.jurisdiction.localized_name(language), 12)
    line(_("Permit certificate"), 20, 10 * mm, bold=True)
    line(_("Permit number: %(id)s") % {"id": sr.public_id}, 13, 9 * mm, bold=True)
    line(_("Type: %(type)s") % {"type": sr.service_type.localized_name(language)})
    line(_("Place: %(place)s") % {"place": sr.address or _("as drawn on the map")})
    line(
        _("Valid from %(start)s to %(end)s, both days included.")
        % {"start": permit.starts_on.isoformat(), "end": permit.ends_on.isoformat()}
    )
    if permit.decided_at:
        line(_("Issued on %(day)s.") % {"day": permit.decided_at.date().isoformat()})
    y -= 3 * mm
    line(_("Conditions"), 13, 8 * mm, bold=True)
    for number, condition in enumerate(permit.localized_conditions(language), start=1):
        line(f"{number}. {condition}", 10, 5.5 * mm)
    qr = segno.make(verification_url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=8, border=4)
    image.seek(0)
    size = 45 * mm
    page.drawImage(ImageReader(image), width - 20 * mm - size, 20 * mm, size, size)
    page.setFont(font, 9)
    page.drawString(left, 30 * mm, _("Check that this permit is genuine and still valid:"))
    page.drawString(left, 25 * mm, verification_url)
    page.showPage()
    page.save()
    return out.getvalue()
