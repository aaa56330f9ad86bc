"""What the Open311 edge keeps of its own: API keys and batch tokens (retried writes: requests_app.idempotency)."""

import secrets

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Keys are stored as digests the way tracking tokens are: one hashing helper for every bearer secret.
from requests_app.public_ids import secret_digest as key_digest  # noqa: F401 - the edge imports it from here


def new_raw_key() -> str:
    return secrets.token_urlsafe(32)


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Scope(models.TextChoices):
    """What a key may do. GETs need no key; "read" is for clients that send one anyway."""

    READ = "read", _("read")
    FILE = "file", _("file new requests")
    UPDATE = "update", _("update requests (FixMyStreet status updates: close, reopen, reclassify)")


def default_scopes() -> list[str]:
    # Changing a request's status is given on purpose, never by default.
    return [Scope.READ, Scope.FILE]


class ApiKey(models.Model):
    """A key an operator gave to one client application for one jurisdiction, for some scopes. Only its digest
    is stored."""

    application = models.CharField(_("application"), max_length=120)
    jurisdiction = models.ForeignKey(
        "requests_app.Jurisdiction",
        on_delete=models.CASCADE,
        related_name="open311_keys",
        verbose_name=_("jurisdiction"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=10, choices=Scope.choices), default=default_scopes, verbose_name=_("scopes")
    )
    writes_per_minute = models.PositiveIntegerField(
        _("writes per minute"), null=True, blank=True, help_text=_("Empty: the OPEN311_WRITES_PER_MINUTE setting")
    )
    # What the resident read in this application before it sent their contact details: recorded with every
    # consent filed through the key, since the web form's wording is not what they saw.
    consent_wording = models.TextField(
        _("consent wording"),
        blank=True,
        help_text=_("The exact sentence the application shows its users when it asks to contact them"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["jurisdiction", "application"]

    def __str__(self):
        return f"{self.application} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class BatchToken(models.Model):
    """The token a batch service type answers with; it resolves to the request's id once routed."""

    token = models.CharField(max_length=40, unique=True, editable=False)
    service_request = models.OneToOneField("requests_app.ServiceRequest", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("batch token")
        verbose_name_plural = _("batch tokens")

    def __str__(self):
        return self.token
