"""Civic311 among a city's other systems: where requests go onward, who hears of events, the outbox that
carries both, and the mail addresses residents write to.

No personal data is stored here. An outbox row holds ids and public fields; what goes onward about a person is
read from ``contacts`` when the message is sent, under the consent live at that moment.
"""

import base64
import secrets

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from routing.models import Department

from .events import SUBSCRIBABLE, Event


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class ContactField(models.TextChoices):
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


class OnwardDestination(models.Model):
    """Another system that does the work for a department or a service type: requests are handed to it."""

    class Kind(models.TextChoices):
        OPEN311 = "open311", _("Open311 GeoReport v2 server")
        WEBHOOK = "webhook", _("Webhook (signed JSON)")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_(
            "Open311: the base URL ending in /, e.g. https://example.org/open311/v2/. "
            "Webhook: the URL that receives the POST."
        ),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Requests routed to this department go onward"),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service type"),
        help_text=_("Requests of this type go onward, whichever department has them"),
    )
    api_key = models.CharField(_("Open311 api_key"), max_length=200, blank=True)
    remote_jurisdiction_id = models.CharField(_("Open311 jurisdiction_id"), max_length=100, blank=True)
    service_codes = models.JSONField(
        _("service codes at the destination"),
        default=dict,
        blank=True,
        help_text=_('Our code to theirs, e.g. {"pothole": "PH01"}; a code not listed is sent as it is'),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_webhook_secret,
        blank=True,
        help_text=_("Webhook: the whsec_ secret the receiver verifies signatures with"),
    )
    contact_fields = ArrayField(
        models.CharField(max_length=20, choices=ContactField.choices),
        default=list,
        blank=True,
        verbose_name=_("contact details it needs"),
        help_text=_(
            "Sent only when the resident agreed that the department may contact "
            "them; leave empty if the destination never contacts residents"
        ),
    )
    poll_updates = models.BooleanField(
        _("take status updates back"),
        default=True,
        help_text=_("Open311: ask for servicerequestupdates (or requests) regularly"),
    )
    last_polled_at = models.DateTimeField(_("last asked for updates"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("onward destination")
        verbose_name_plural = _("onward destinations")
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=False) | models.Q(service_type__isnull=False),
                name="onward_destination_has_a_scope",
            ),
        ]

    def __str__(self):
        return self.name

    def remote_code(self, code: str) -> str:
        return self.service_codes.get(code, code)


class WebhookSubscription(models.Model):
    """An operator's URL that hears of events in a jurisdiction, optionally only for a department or a type."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(models.CharField(max_length=40, choices=SUBSCRIBABLE), verbose_name=_("events"))
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this department"),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this service type"),
    )
    secrets = models.TextField(
        _("signing secrets"),
        default=new_webhook_secret,
        help_text=_(
            "whsec_ secrets, one per line. Every one signs each message, so a "
            "receiver keeps working while a secret is rotated: add the new one, "
            "move the receiver over, then remove the old one."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["jurisdiction", "url"]

    def __str__(self):
        return self.description or self.url

    @property
    def secret_list(self) -> list[str]:
        return self.secrets.split()


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now or timezone.now())

    def undelivered(self):
        return self.filter(state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.FAILED])

    def in_queue_of(self, message: "OutboxMessage"):
        """The messages to the same receiver about the same request: they are sent in order."""
        return self.filter(
            service_request_id=message.service_request_id,
            destination_id=message.destination_id,
            subscription_id=message.subscription_id,
        )


class OutboxMessage(models.Model):
    """One message to one receiver, written in the transaction of the change it tells of.

    The row is the durable queue: a Celery task sends it, retrying with growing pauses; the beat sweep sends
    what a lost task left behind. Messages about one request to one receiver leave in the order written.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Stuck: gave up retrying")
        STOPPED = "stopped", _("Stopped by an operator")

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    destination = models.ForeignKey(
        OnwardDestination,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("onward destination"),
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("webhook subscription"),
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # Webhooks: the signed body's "data", public fields only. Handovers: empty, built when sent.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The Standard Webhooks webhook-id: the same on every retry, so a receiver can drop a repeat.
    message_id = models.CharField(_("message id"), max_length=40, unique=True, default=new_message_id, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    give_up_at = models.DateTimeField(_("give up after"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(destination__isnull=False, subscription__isnull=True)
                    | models.Q(destination__isnull=True, subscription__isnull=False)
                ),
                name="outbox_message_has_one_receiver",
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="outbox_due"),
            models.Index(fields=["service_request", "destination", "subscription", "id"], name="outbox_queue"),
        ]

    def __str__(self):
        return f"{self.event} for request #{self.service_request_id} ({self.state})"

    @property
    def receiver(self):
        return self.destination or self.subscription


class OnwardLink(models.Model):
    """A request handed to a destination, with the id it has there and the updates already taken back."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    destination = models.ForeignKey(
        OnwardDestination, on_delete=models.CASCADE, related_name="links", verbose_name=_("destination")
    )
    external_id = models.CharField(_("id at the destination"), max_length=100, blank=True)
    token = models.CharField(_("Open311 token"), max_length=100, blank=True)
    remote_status = models.CharField(_("status at the destination"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("handed over"), default=timezone.now)

    class Meta:
        verbose_name = _("onward link")
        verbose_name_plural = _("onward links")
        constraints = [
            models.UniqueConstraint(fields=["service_request", "destination"], name="one_link_per_destination")
        ]
        indexes = [models.Index(fields=["destination", "external_id"], name="onward_link_external_id")]

    def __str__(self):
        return f"#{self.service_request_id} → {self.external_id or self.token or '?'}"


class ReceivedUpdate(models.Model):
    """An update already taken back from a destination, so a second poll over the same window adds nothing."""

    link = models.ForeignKey(OnwardLink, on_delete=models.CASCADE, related_name="updates")
    key = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "key"], name="one_received_update_per_key")]

    def __str__(self):
        return f"{self.link_id}: {self.key}"


class IntakeAddress(models.Model):
    """An email address residents write to; each message becomes a request of ``service_type``, in triage."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    address = models.EmailField(_("address"), unique=True)
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service type"),
        help_text=_("Usually the jurisdiction's general type, which triage sorts"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("email intake address")
        verbose_name_plural = _("email intake addresses")

    def __str__(self):
        return self.address


class MailThreadMessage(models.Model):
    """A Message-ID seen in or sent on a request's mail thread, so a reply joins its request.

    Holds ids only: no address, no text.
    """

    service_request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.message_id
