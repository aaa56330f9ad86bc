"""What is kept about a resident, why and for how long, declared beside each model's fields.

Each model that holds what a resident gave lists ``Stored`` declarations in ``STORED_ABOUT_YOU``; the privacy
notice (``manage.py privacy_notice``) is printed from them, and a test checks every field is declared.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Stored:
    """A declaration of fields kept about a resident: why, and for how long (``{days}``: the retention days)."""

    fields: tuple[str, ...]
    why: str
    how_long: str


WITH_THE_REQUEST = _("as long as the request, which stays as the public record without your details")
