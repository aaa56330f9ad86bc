"""The exact sentences a resident agrees to, versioned: a Consent row records which version was shown.

Change a sentence only by adding a new version, so every recorded consent still points at what was read.
"""

from django.utils.translation import gettext_lazy as _

from .purposes import Purpose

# The sentences beside the permit application form's unticked boxes (frontend/permit_pages).
PERMIT_WORDING_VERSION = "2026-12-permit-form-1"

# The sentences beside the unticked boxes of the resident's web form (frontend/forms.py, which names this
# version in its CONSENT_WORDING_VERSION).
CURRENT_WORDING_VERSION = "2026-12-resident-form-2"

# The question in the reply to a request sent by email (integrations/email_intake.py).
EMAIL_REPLY_WORDING_VERSION = "2026-12-email-reply-1"

WORDING = {
    "2026-11-resident-form-1": {
        Purpose.STATUS_UPDATES: _("Send me updates about this request."),
        Purpose.DEPARTMENT_QUESTIONS: _("The department may contact me with a question about this request."),
    },
    # The first form's sentences, plus leave for a crew to phone (only if the department lets its crews call).
    "2026-12-resident-form-2": {
        Purpose.STATUS_UPDATES: _("Send me updates about this request."),
        Purpose.DEPARTMENT_QUESTIONS: _("The department may contact me with a question about this request."),
        Purpose.CREW_CALL: _("The crew sent to fix this may phone me about it on site, for example to find the spot."),
    },
    EMAIL_REPLY_WORDING_VERSION: {
        Purpose.STATUS_UPDATES: _("Send updates about this request to the address I wrote from."),
    },
    PERMIT_WORDING_VERSION: {
        Purpose.PERMIT_DECISION: _(
            "Tell me the decision on this permit, and anything I must do before it "
            "(more information, the fee). My details are kept until the permit ends, "
            "plus the period the city sets, then erased."
        ),
        Purpose.STATUS_UPDATES: _("Send me updates about this application."),
    },
}


# A consent collected by another application (an Open311 client) records that application's own words
# (Consent.collected_by, Consent.wording) under this version instead of one of ours.
APPLICATION_WORDING = "application"


def consent_wording(purpose: str, version: str = CURRENT_WORDING_VERSION) -> str:
    """The sentence shown beside the (unticked) box for ``purpose``. Raises KeyError for unknown ones."""
    return str(WORDING[version][Purpose(purpose)])
