"""Masking of personal identifiers in free text before it is published.

Residents write their phone number, email, messaging id, ID or card number, name or licence plate into
descriptions and answers, in English and in Chinese, and in many disguises (full-width digits, digits spaced
out, Chinese numerals, "name(at)qq.com"). Each kind has its recogniser in this package; together they return
the spans to hide, which are replaced by MASK. The numbers a jurisdiction publishes as its own (its hotline,
its departments' lines) are kept, and so is ordinary report text: street numbers, dates, times and quantities.

Public text is masked once, when it is written (``requests_app.public_text``), and stored beside the
original: no output masks on its own, so none can forget to.
"""

from collections.abc import Iterable

from . import handles, names, numbers, plates
from .normalise import normalise, with_digits

MASK = "[removed]"

# Where a jurisdiction names no region: the numbers of the demo's two countries are recognised.
DEFAULT_REGIONS = ("US", "CN")


def personal_spans(
    text: str,
    *,
    regions: Iterable[str] = DEFAULT_REGIONS,
    public_numbers: frozenset[str] = frozenset(),
    public_emails: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` that identify a person, merged and sorted."""
    regions = tuple(region.upper() for region in regions) or DEFAULT_REGIONS
    view = normalise(text)  # same length as text: a span in one is the same span in the other
    digits = with_digits(view)
    spans = [
        *handles.spans(digits, public_emails=public_emails),
        *numbers.spans(digits, regions=regions, public_numbers=public_numbers),
        *names.spans(view),
        *plates.spans(digits, regions=regions),
    ]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def mask_personal_identifiers(
    text: str,
    *,
    regions: Iterable[str] = DEFAULT_REGIONS,
    public_numbers: frozenset[str] = frozenset(),
    public_emails: frozenset[str] = frozenset(),
) -> str:
    """Return ``text`` with every personal identifier replaced by MASK, except the public ones given.

    ``regions`` are the ISO country codes whose phone numbers, IDs and plates are looked for;
    ``public_numbers`` (digits only) and ``public_emails`` (lower case) are the jurisdiction's own, and stay.
    """
    if not text:
        return text
    pieces, last = [], 0
    for start, end in personal_spans(text, regions=regions, public_numbers=public_numbers, public_emails=public_emails):
        pieces += [text[last:start], MASK]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
