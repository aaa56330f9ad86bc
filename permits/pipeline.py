"""A permit application's pipeline as data: the steps staff work through and the states a permit can be in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    CHECK = "check", _("Check the application")
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    DECISION = "decision", _("Decision")


# The order every permit type follows; a type may leave out the site inspection (PermitType.steps).
ALL_STEPS = (Step.CHECK, Step.SITE_INSPECTION, Step.DECISION)


class State(models.TextChoices):
    IN_REVIEW = "in_review", _("Being reviewed")
    WAITING_FOR_APPLICANT = "waiting", _("Waiting for more information from the applicant")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Ended")
    REVOKED = "revoked", _("Revoked")


TRANSITIONS: dict[str, frozenset[str]] = {
    State.IN_REVIEW: frozenset({State.WAITING_FOR_APPLICANT, State.APPROVED, State.REFUSED}),
    State.WAITING_FOR_APPLICANT: frozenset({State.IN_REVIEW, State.REFUSED}),
    State.APPROVED: frozenset({State.EXPIRED, State.REVOKED}),
    State.REFUSED: frozenset(),
    State.EXPIRED: frozenset(),
    State.REVOKED: frozenset(),
}

# Still before a decision: the decision clock runs (or is paused, waiting for the applicant).
UNDECIDED = frozenset({State.IN_REVIEW, State.WAITING_FOR_APPLICANT})
# Granted and not ended or revoked; valid between its dates.
GRANTED = frozenset({State.APPROVED})
# What a new application can clash with: granted permits and other applications still being decided.
CONFLICTING = UNDECIDED | GRANTED


class EventKind(models.TextChoices):
    APPLIED = "applied", _("Application received")
    STEP_DONE = "step_done", _("Step completed")
    INFORMATION_REQUESTED = "information_requested", _("More information requested")
    INFORMATION_GIVEN = "information_given", _("Applicant answered")
    DOCUMENT_ADDED = "document_added", _("Document added")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    FEE_PAID = "fee_paid", _("Fee paid")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENDED = "extended", _("Extended")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Ended on its end date")


class GeometryKind(models.TextChoices):
    POINT = "point", _("A point")
    LINE = "line", _("A stretch of street (a line)")
    AREA = "area", _("An area")


GEOS_TYPE = {GeometryKind.POINT: "Point", GeometryKind.LINE: "LineString", GeometryKind.AREA: "Polygon"}


class FeeKind(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    PER_DAY = "per_day", _("Per day")
    PER_METRE = "per_metre", _("Per metre")


class DocumentKind(models.TextChoices):
    PDF = "pdf", _("PDF document")
    IMAGE = "image", _("Photo or image")
