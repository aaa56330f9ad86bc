"""The public version of what a resident or staff member wrote, masked once when it is written.

``ServiceRequest.public_description`` and ``public_answers`` hold the resident's words as the public sees them;
staff public notes are masked in place when written (staff see them as published). Every public output reads
the stored text: none masks on its own, so none can forget to.
"""

import re
from dataclasses import dataclass

from masking import DEFAULT_REGIONS, mask_personal_identifiers


@dataclass(frozen=True)
class Masking:
    regions: tuple[str, ...]
    public_numbers: frozenset[str]
    public_emails: frozenset[str]

    def text(self, text: str) -> str:
        return mask_personal_identifiers(
            text, regions=self.regions, public_numbers=self.public_numbers, public_emails=self.public_emails
        )

    def answers(self, answers: dict) -> dict:
        return {code: self._answer(value) for code, value in answers.items()}

    def _answer(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._answer(v) for v in value]
        return value


def masking_for(jurisdiction) -> Masking:
    """How a jurisdiction's public text is masked: its regions, and its own numbers and emails kept."""
    published = jurisdiction.published_contacts or []
    return Masking(
        regions=tuple(jurisdiction.regions) or DEFAULT_REGIONS,
        public_numbers=frozenset(re.sub(r"\D", "", entry) for entry in published if "@" not in entry),
        public_emails=frozenset(entry.strip().lower() for entry in published if "@" in entry),
    )
