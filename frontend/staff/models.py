"""The staff queue's own rows: saved views, response templates and crew actions. Who holds which role, and which
department each history entry belongs to, is kept by ``staffing``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.statuses import Status


class SavedView(models.Model):
    """A named set of queue filters, kept as the query string the queue understands."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_view_name")]

    def __str__(self):
        return self.name


class ResponseTemplate(models.Model):
    """A ready answer for the public note, per service type and status, in one of the jurisdiction's languages."""

    jurisdiction = models.ForeignKey(
        "requests_app.Jurisdiction", on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    service_type = models.ForeignKey(
        "requests_app.ServiceType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service type"),
        help_text=_("Empty: for every service type"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, blank=True, help_text=_("Empty: for every status")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=120)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["jurisdiction", "name", "language"]

    def __str__(self):
        return f"{self.name} ({self.language})"


class CrewAction(models.Model):
    """One action a field crew took on site, kept by the key its device gave it so that a retry after a lost
    answer is recognised: each action applies once, and its outcome (done, or the conflict) is answered again.

    Nothing about where the crew was is kept: the device orders the route itself and sends no position.
    """

    class Kind(models.TextChoices):
        START = "start", _("Started work")
        NOTE = "note", _("Note")
        PHOTO = "photo", _("Photo")
        FIXED = "fixed", _("Fixed")
        CANT_FIX = "cant_fix", _("Can't fix")

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        CONFLICT = "conflict", _("Conflict")

    key = models.UUIDField(_("device key"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("crew member")
    )
    service_request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    done_on_device_at = models.DateTimeField(_("done on the device at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("crew action")
        verbose_name_plural = _("crew actions")
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"{self.kind} #{self.service_request_id}: {self.outcome}"
