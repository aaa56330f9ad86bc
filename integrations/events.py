"""What other systems may hear about. Webhook subscribers pick from these; the names are the wire names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    FILED = "request.filed", _("A request was filed")
    ROUTED = "request.routed", _("A request was routed to a department")
    STATUS_CHANGED = "request.status_changed", _("A request's status changed")
    CLOSED = "request.closed", _("A request was closed")
    # Sent by the permits workflow when an application is approved or refused.
    PERMIT_DECIDED = "permit.decided", _("A permit application was decided")
    # Not for subscribers: a request handed to the system that will do the work (an onward destination).
    HANDOVER = "request.handover", _("A request was handed to another system")


SUBSCRIBABLE = [choice for choice in Event.choices if choice[0] != Event.HANDOVER]
