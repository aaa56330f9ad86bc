"""The only home of personal data in Civic311.

A Contact points to its request; nothing points back (``related_name="+"``), so no query, serializer
or template that starts from a request can reach a name, an email or a phone number by accident.
Only ``contacts.services`` reads or writes these rows.
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    service_request = models.OneToOneField("requests_app.ServiceRequest", on_delete=models.CASCADE,
                                           related_name="+", verbose_name=_("service request"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        # Never the person: admin lists and logs show which request, not who.
        return f"Contact for request #{self.service_request_id}"

    @property
    def is_empty(self) -> bool:
        return not any([self.first_name, self.last_name, self.email, self.phone, self.device_id])
