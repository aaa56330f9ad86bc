"""The only home of personal data in Civic311.

A Contact points to its request; nothing points back (``related_name="+"``), so no query, serializer
or template that starts from a request can reach a name, an email or a phone number by accident.
Only ``contacts.services`` and ``contacts.selectors`` read or write these rows.

Each model declares in ``STORED_ABOUT_YOU`` what it keeps, why and for how long; ``manage.py privacy_notice``
prints README's "What we store about you" from these declarations, and a test checks every field is declared.
"""

import secrets

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.retention import WITH_THE_REQUEST, Stored
from requests_app.statuses import Channel

from .fields import EncryptedTextField
from .purposes import Purpose

UNTIL_RETENTION = _(
    "until {days} days after the request closes (the default; each city may set another number), "
    "or at once when you withdraw your last consent or erase it from your request's data page"
)


def new_alert_token() -> str:
    return secrets.token_urlsafe(24)


class Contact(models.Model):
    service_request = models.OneToOneField(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    first_name = EncryptedTextField(_("first name"), blank=True)
    last_name = EncryptedTextField(_("last name"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    device_id = EncryptedTextField(_("device id"), blank=True)
    # The request's private link, so that messages can carry it: the request keeps only its digest. Here, with
    # the contact, it is encrypted like the address, and erasing the contact erases the way to rebuild the link.
    tracking_token = EncryptedTextField(_("private link"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # A permit's applicant is kept until the permit ends plus the city's period, even if the request closed.
    keep_until = models.DateField(_("kept at least until"), null=True, blank=True)

    STORED_ABOUT_YOU = (
        Stored(
            ("first_name", "last_name", "email", "phone", "device_id"),
            _(
                "To contact you for the purposes you chose, and nothing else. Encrypted; staff of the "
                "department handling your request see it only for those purposes, its crew on site sees your phone "
                "number only if you agreed to a call from the crew and the department allows such calls, and "
                "every look is logged."
            ),
            UNTIL_RETENTION,
        ),
        Stored(("language",), _("To write to you in the language you used."), UNTIL_RETENTION),
        Stored(
            ("tracking_token",),
            _(
                "Your request's private link, so that our messages can carry it. Encrypted; no staff screen shows "
                "it. The request itself keeps only a fingerprint of the link, from which the link can't be "
                "rebuilt."
            ),
            UNTIL_RETENTION,
        ),
        Stored(
            ("service_request", "created_at", "erased_at"),
            _("Which request the details belong to, when you gave them and when they were erased."),
            WITH_THE_REQUEST,
        ),
        Stored(
            ("keep_until",),
            _(
                "For a permit: the day your details may be erased at the earliest, so the city can reach you "
                "while the permit runs."
            ),
            _("until the permit ends plus the period the city sets for its permit type"),
        ),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        # Never the person: admin lists and logs show which request, not who.
        return f"Contact for request #{self.service_request_id}"

    @property
    def is_empty(self) -> bool:
        return not any([self.first_name, self.last_name, self.email, self.phone, self.device_id])


class ConsentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One explicit choice: this contact may be used for this purpose, given this way, on these words."""

    class Method(models.TextChoices):
        WEB_FORM = "web_form", _("Ticked an unticked box on the web form")
        MOBILE_APP = "mobile_app", _("Ticked an unticked box in a mobile app")
        OPEN311_CLIENT = "open311_client", _("An Open311 client said the resident agreed")
        PHONE_CALL = "phone_call", _("Said yes when a call-taker asked")
        STAFF = "staff", _("Recorded by staff")
        EMAIL_REPLY = "email_reply", _("Said yes through the link in our reply to their email")

    class Ending(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn by the resident")
        ERASED = "erased", _("Contact erased by the resident")
        RETENTION = "retention", _("Contact erased when its retention time ended")

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    wording_version = models.CharField(_("wording version"), max_length=40)
    # Consents collected by another application (an Open311 client): which one, and the words it showed.
    collected_by = models.CharField(_("collected by"), max_length=120, blank=True)
    wording = models.TextField(_("wording shown"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    how_given = models.CharField(_("how given"), max_length=20, choices=Method.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=10, choices=Ending.choices, blank=True)

    objects = ConsentQuerySet.as_manager()

    STORED_ABOUT_YOU = (
        Stored(
            (
                "service_request",
                "purpose",
                "channel",
                "wording_version",
                "collected_by",
                "wording",
                "language",
                "given_at",
                "how_given",
                "withdrawn_at",
                "ended_by",
            ),
            _(
                "Proof of what you agreed to, on which words, how and when, and when it ended. It holds no "
                "contact details."
            ),
            WITH_THE_REQUEST,
        ),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_request", "purpose"],
                condition=models.Q(withdrawn_at=None),
                name="one_live_consent_per_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.purpose} for request #{self.service_request_id}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class AccessLog(models.Model):
    """One staff look at a request's contact: who, when, which request, why, and for which purposes."""

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("staff member")
    )
    username = models.CharField(_("username"), max_length=150)  # kept when the account is deleted
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    reason = models.CharField(_("reason"), max_length=300)
    purposes = ArrayField(models.CharField(max_length=30), default=list, blank=True, verbose_name=_("purposes shown"))

    STORED_ABOUT_YOU = (
        Stored(
            ("service_request", "user", "username", "at", "reason", "purposes"),
            _("A record of every staff look at your contact details: who, when, why. It holds no contact details."),
            WITH_THE_REQUEST,
        ),
    )

    class Meta:
        verbose_name = _("contact access")
        verbose_name_plural = _("contact access log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.username} viewed the contact of request #{self.service_request_id}"


class Notification(models.Model):
    """One message to send to a requester by one medium. The row makes the sending task idempotent."""

    class Medium(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent: no live consent or no address")
        FAILED = "failed", _("Failed after retries")

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+", verbose_name=_("service request")
    )
    event = models.CharField(_("event"), max_length=30)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    STORED_ABOUT_YOU = (
        Stored(
            ("service_request", "event", "purpose", "medium", "state", "attempts", "created_at", "sent_at"),
            _("Which messages we sent you, by which medium and when. It holds no address and no message text."),
            WITH_THE_REQUEST,
        ),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.event} by {self.medium} for request #{self.service_request_id}"


ALERT_ADDRESS_KEPT = _(
    "until the alert ends: when you stop it (a link in every message), when the time you chose "
    "runs out, or 7 days after you asked if you never confirmed"
)


class AreaAlertQuerySet(models.QuerySet):
    def live(self, now=None):
        return self.filter(confirmed_at__isnull=False, ended_at__isnull=True, expires_at__gt=now or timezone.now())


class AreaAlert(models.Model):
    """A resident's wish to hear by email of new requests in an area or near a point (double opt-in)."""

    class Ending(models.TextChoices):
        STOPPED = "stopped", _("Stopped by the resident")
        EXPIRED = "expired", _("The time chosen ran out")
        UNCONFIRMED = "unconfirmed", _("Never confirmed")

    jurisdiction = models.ForeignKey(
        "requests_app.Jurisdiction", on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    email = EncryptedTextField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    area = models.ForeignKey(
        "routing.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    point = gis_models.PointField(_("point"), srid=4326, null=True, blank=True)
    radius_metres = models.PositiveIntegerField(_("distance (metres)"), null=True, blank=True)
    # The secret of the confirm and stop links; it identifies the alert, not the person.
    token = models.CharField(max_length=64, unique=True, default=new_alert_token, editable=False)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("ends"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=12, choices=Ending.choices, blank=True)

    objects = AreaAlertQuerySet.as_manager()

    STORED_ABOUT_YOU = (
        Stored(
            ("email",),
            _("To send you the alerts you asked for, and nothing else. Encrypted; no staff screen shows it."),
            ALERT_ADDRESS_KEPT,
        ),
        Stored(("language",), _("To write to you in the language you used."), ALERT_ADDRESS_KEPT),
        Stored(
            (
                "jurisdiction",
                "area",
                "point",
                "radius_metres",
                "token",
                "created_at",
                "confirmed_at",
                "expires_at",
                "ended_at",
                "ended_by",
            ),
            _(
                "Where you asked to hear about, the secret of your confirm and stop links, and when the alert "
                "was asked for, confirmed and ended. It holds no contact details once the alert ends."
            ),
            _("one year after the alert ends"),
        ),
    )

    class Meta:
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False) | models.Q(point__isnull=False, radius_metres__isnull=False),
                name="area_alert_has_a_place",
            ),
        ]

    def __str__(self):
        return f"Area alert #{self.pk}"  # never the address
