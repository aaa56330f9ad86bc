"""What a resident's contact data may be used for. Nothing else exists to consent to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    STATUS_UPDATES = "status_updates", _("Status updates about this request")
    DEPARTMENT_QUESTIONS = "department_questions", _("A question from the department about this request")
    PERMIT_DECISION = "permit_decision", _("The decision on this permit application")
    # Only where the department lets its crews call (routing.Department.crew_may_call), on a tap that is logged.
    CREW_CALL = "crew_call", _("A phone call from the crew sent to fix this request")
