"""QR codes of tracking links, drawn as SVG on the server (no script, nothing from outside)."""

import segno
from django.utils.html import escape
from django.utils.safestring import mark_safe


def qr_svg(url: str, *, title: str):
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, title=escape(title), dark="#000", light="#fff"))
