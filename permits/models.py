"""Permits: what a city's permit types ask for, and each application's place, dates, fee, documents and history.

A permit is a kind of service request (ServiceType.Kind.PERMIT): its Permit row hangs off the request and adds
what only permits have. Like requests, nothing here holds personal data; the applicant's contact lives in
``contacts`` under its own consent (Purpose.PERMIT_DECISION).
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from requests_app.models import ServiceRequest, ServiceType, Translated
from requests_app.public_ids import new_tracking_token
from requests_app.storage import configured

from .pipeline import ALL_STEPS, UNDECIDED, DocumentKind, EventKind, FeeKind, GeometryKind, State, Step


def _translated(item: dict, language: str | None = None) -> str:
    return (item.get("text_translations") or {}).get(language or get_language() or "", "") or item.get("text", "")


class PermitType(models.Model):
    """What a permit of one service type needs: place, dates, fee, documents, conditions and decision time.

    Its questions are the service type's own questions, asked like any request's.
    """

    service_type = models.OneToOneField(
        ServiceType,
        on_delete=models.CASCADE,
        related_name="permit_type",
        limit_choices_to={"kind": ServiceType.Kind.PERMIT},
        verbose_name=_("service type"),
    )
    geometry_kind = models.CharField(
        _("place drawn as"), max_length=10, choices=GeometryKind.choices, default=GeometryKind.POINT
    )
    min_notice_days = models.PositiveIntegerField(
        _("minimum notice (working days)"), default=5, help_text=_("The earliest start is this many working days away")
    )
    max_length_days = models.PositiveIntegerField(
        _("longest permit (days)"), default=30, validators=[MinValueValidator(1)]
    )
    fee_kind = models.CharField(_("fee"), max_length=10, choices=FeeKind.choices, default=FeeKind.FIXED)
    fee_amount = models.DecimalField(_("fee amount"), max_digits=10, decimal_places=2, default=0)
    fee_currency = models.CharField(_("currency"), max_length=3, default="USD")
    decision_working_days = models.PositiveIntegerField(_("decision within (working days)"), default=10)
    steps = ArrayField(
        models.CharField(max_length=20, choices=Step.choices),
        default=list,
        verbose_name=_("steps"),
        blank=True,
        help_text=_("In order; empty means check, site inspection, decision"),
    )
    # [{"text": "...", "text_translations": {"zh-hans": "..."}}]
    standard_conditions = models.JSONField(_("standard conditions"), default=list, blank=True)
    retention_days_after_end = models.PositiveIntegerField(
        _("contact kept after the permit ends (days)"),
        default=90,
        help_text=_("The applicant's contact is erased this long after the permit's end date"),
    )

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")

    def __str__(self):
        return str(self.service_type)

    @property
    def pipeline(self) -> tuple[str, ...]:
        chosen = set(self.steps)
        return tuple(step for step in ALL_STEPS if not chosen or step in chosen or step == Step.DECISION)

    def localized_conditions(self, language: str | None = None) -> list[str]:
        return [_translated(item, language) for item in self.standard_conditions]


class DocumentRequirement(Translated):
    """One document a permit type asks for: which kinds of file, how large, whether it is required."""

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="documents", verbose_name=_("permit type")
    )
    code = models.SlugField(_("code"), max_length=40)
    kinds = ArrayField(
        models.CharField(max_length=10, choices=DocumentKind.choices), default=list, verbose_name=_("file types")
    )
    max_bytes = models.PositiveIntegerField(_("largest file (bytes)"), default=5 * 1024 * 1024)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["permit_type", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["permit_type", "code"], name="unique_document_code")]


class PermitQuerySet(models.QuerySet):
    def undecided(self):
        return self.filter(state__in=UNDECIDED)

    def overlapping(self, *, geometry, starts_on, ends_on):
        return self.filter(geometry__intersects=geometry, starts_on__lte=ends_on, ends_on__gte=starts_on)


class Permit(models.Model):
    service_request = models.OneToOneField(
        ServiceRequest, on_delete=models.CASCADE, related_name="permit", verbose_name=_("service request")
    )
    permit_type = models.ForeignKey(
        PermitType, on_delete=models.PROTECT, related_name="permits", verbose_name=_("permit type")
    )
    geometry = models.GeometryField(_("place"), srid=4326)
    length_m = models.FloatField(_("length (m)"), default=0)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_REVIEW, db_index=True)
    step = models.CharField(_("current step"), max_length=20, choices=Step.choices, default=Step.CHECK)
    fee_amount = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    fee_currency = models.CharField(_("currency"), max_length=3, default="USD")
    fee_paid_at = models.DateTimeField(_("fee paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    # The decision clock: working days since the application, less those spent waiting for the applicant.
    decision_due_on = models.DateField(_("decision due"), null=True, blank=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(_("working days paused"), default=0)
    information_request = models.TextField(_("information requested"), blank=True)
    added_conditions = models.JSONField(_("added conditions"), default=list, blank=True)
    conditions = models.JSONField(
        _("conditions"), default=list, blank=True, help_text=_("Standard and added, as they stood at approval")
    )
    refusal_reasons = models.TextField(_("reasons for refusal"), blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    extension_requested_until = models.DateField(_("extension asked until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The public verification page's address: unguessable, unlike the request's public id, so the register of
    # certificates can't be walked; it says nothing about the applicant either way.
    verification_code = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)
    conflicts = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("overlaps with"))

    objects = PermitQuerySet.as_manager()

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="permit_ends_after_it_starts"
            )
        ]
        indexes = [models.Index(fields=["state", "ends_on"], name="permit_state_ends")]

    def __str__(self):
        return f"Permit {self.service_request.public_id}"

    @property
    def is_valid_today(self) -> bool:
        return self.state == State.APPROVED and self.starts_on <= timezone.localdate() <= self.ends_on

    @property
    def clock_paused(self) -> bool:
        return self.paused_since is not None

    def localized_conditions(self, language: str | None = None) -> list[str]:
        return [_translated(item, language) for item in self.conditions]


class PermitEvent(models.Model):
    """One line of a permit's history: which step or decision, who, when, and what was said."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=30, choices=EventKind.choices)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    public_note = models.TextField(_("note to the applicant"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)

    class Meta:
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")
        ordering = ["at", "id"]


def document_storage():
    # Outside MEDIA_ROOT, which is the only folder MEDIA_URL serves: documents reach a browser only through the
    # authorised views (the applicant's tracking link, staff of the deciding department).
    return configured["permit_documents"]


def document_path(document, filename):
    # Never the uploaded name (it can name the person); the extension says only what we re-made it as.
    extension = "pdf" if document.kind == DocumentKind.PDF else "jpg"
    return f"{document.permit.service_request.public_id}/{new_tracking_token()[:20]}.{extension}"


class PermitDocument(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        DocumentRequirement, on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    kind = models.CharField(_("file type"), max_length=10, choices=DocumentKind.choices)
    file = models.FileField(storage=document_storage, upload_to=document_path)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("permit document")
        verbose_name_plural = _("permit documents")
        ordering = ["requirement__order", "uploaded_at", "id"]

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.kind == DocumentKind.PDF else "image/jpeg"


class DocumentLook(models.Model):
    """One staff look at an applicant's document: who, when, which document (as contact looks are logged)."""

    document = models.ForeignKey(PermitDocument, on_delete=models.CASCADE, related_name="looks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(_("username"), max_length=150)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("document look")
        verbose_name_plural = _("document looks")
        ordering = ["-at", "-id"]
