"""Settings of the public outputs, one row per jurisdiction."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models import Jurisdiction

DEFAULT_SUPPRESSION_K = 5


class PublicSettings(models.Model):
    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, related_name="public_settings", verbose_name=_("jurisdiction")
    )
    suppression_k = models.PositiveSmallIntegerField(
        _("smallest published group"),
        default=DEFAULT_SUPPRESSION_K,
        validators=[MinValueValidator(2)],
        help_text=_("Statistics never show a cell that describes fewer requests than this"),
    )

    class Meta:
        verbose_name = _("public output settings")
        verbose_name_plural = _("public output settings")

    def __str__(self):
        return str(self.jurisdiction)
