"""Masking of personal identifiers in free text before it is published.

Residents write their email or phone number into descriptions; staff notes quote work-order numbers and
departments' public phone numbers. We mask what identifies a person (emails, phone numbers, long digit runs
that look like card or ID numbers) and keep the public numbers a jurisdiction lists as its own.
"""
import re

MASK = "[removed]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone-like: 7+ digits with optional +, spaces, dots, dashes, brackets between them.
_PHONE = re.compile(r"(?<![\w#])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")

# Dates look like phone numbers to the pattern above, and staff notes are full of them.
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def mask_personal_identifiers(text: str, *, public_numbers: frozenset[str] = frozenset()) -> str:
    """Return ``text`` with emails and phone numbers replaced, except the public numbers given (digits only)."""
    if not text:
        return text
    text = _EMAIL.sub(MASK, text)

    def phone(match: re.Match) -> str:
        if _DATE.fullmatch(match.group(0).strip()):
            return match.group(0)
        digits = _digits(match.group(0))
        if digits in public_numbers or digits[-10:] in public_numbers:
            return match.group(0)
        return MASK

    return _PHONE.sub(phone, text)
