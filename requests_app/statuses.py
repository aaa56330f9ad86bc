"""The status pipeline as data: which statuses exist and which may follow which."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_OURS = "not_ours", _("Not ours")
    REOPENED = "reopened", _("Reopened")


_WORKING = {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.DUPLICATE, Status.NOT_OURS}

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset(
        {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.DUPLICATE, Status.NOT_OURS, Status.CLOSED}
    ),
    Status.ACKNOWLEDGED: frozenset(_WORKING - {Status.ACKNOWLEDGED} | {Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.RESOLVED, Status.DUPLICATE, Status.NOT_OURS}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.DUPLICATE: frozenset({Status.REOPENED}),
    Status.NOT_OURS: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset(_WORKING),
}

OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD, Status.REOPENED})
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    MOBILE = "mobile", _("Mobile app")
    OPEN311 = "open311", _("Open311 client")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    STAFF = "staff", _("Staff")
    SOCIAL = "social", _("Social media")
    IMPORT = "import", _("Imported")


class RoutingState(models.TextChoices):
    PENDING = "pending", _("Waiting for routing")
    ROUTED = "routed", _("Routed")
    TRIAGE = "triage", _("In triage")


class PermitStep(models.TextChoices):
    """The steps of a permit application, beside its status (permits only)."""

    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    MORE_INFORMATION = "more_information", _("More information requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The permit steps as data, beside the status pipeline: which step may follow which ("" is an application with no
# step yet), the steps that are decisions to explain to the applicant, and the status each step moves the request
# to, when the status pipeline allows it.
PERMIT_STEPS: dict[str, frozenset[str]] = {
    "": frozenset({PermitStep.RECEIVED, PermitStep.UNDER_REVIEW}),
    PermitStep.RECEIVED: frozenset({PermitStep.UNDER_REVIEW}),
    PermitStep.UNDER_REVIEW: frozenset({PermitStep.MORE_INFORMATION, PermitStep.APPROVED, PermitStep.REFUSED}),
    PermitStep.MORE_INFORMATION: frozenset({PermitStep.UNDER_REVIEW}),
    PermitStep.APPROVED: frozenset(),
    PermitStep.REFUSED: frozenset(),
}
PERMIT_DECISIONS = frozenset({PermitStep.MORE_INFORMATION, PermitStep.APPROVED, PermitStep.REFUSED})
PERMIT_STEP_STATUS: dict[str, str] = {
    PermitStep.UNDER_REVIEW: Status.IN_PROGRESS,
    # A decision ends the application: the request is resolved (through "in progress" if the pipeline wants it).
    PermitStep.APPROVED: Status.RESOLVED,
    PermitStep.REFUSED: Status.RESOLVED,
}
