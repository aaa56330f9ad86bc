"""The resident pages' own records. Nothing personal is kept here."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentSubmission(models.Model):
    """Which request a form submission's Idempotency-Key created, so a phone that resends a request it
    queued offline (or retries after a dropped answer) files it exactly once."""

    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    service_request = models.OneToOneField("requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+",
                                           verbose_name=_("service request"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent submission")
        verbose_name_plural = _("idempotent submissions")

    def __str__(self):
        return self.key
