"""The exact sentences a resident agrees to, versioned: a Consent row records which version was shown.

Change a sentence only by adding a new version, so every recorded consent still points at what was read.
"""
from django.utils.translation import gettext_lazy as _

from .purposes import Purpose

CURRENT_WORDING_VERSION = "2026-11"

WORDING = {
    "2026-11": {
        Purpose.STATUS_UPDATES: _("Yes, use my contact details to send me updates when the status of this "
                                  "request changes. Nothing else."),
        Purpose.DEPARTMENT_QUESTIONS: _("Yes, the department handling this request may contact me with a "
                                        "question about it. Nothing else."),
    },
}


def consent_wording(purpose: str, version: str = CURRENT_WORDING_VERSION) -> str:
    """The sentence shown beside the (unticked) box for ``purpose``. Raises KeyError for unknown ones."""
    return str(WORDING[version][Purpose(purpose)])
