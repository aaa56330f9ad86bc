"""Who handles what: departments and their teams, and the area layers that requests are routed by."""
from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models import Jurisdiction, Translated


class Department(Translated):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="departments",
                                     verbose_name=_("jurisdiction"))
    code = models.SlugField(_("code"), max_length=60)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["jurisdiction", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="unique_department_code")]


class Team(Translated):
    class Strategy(models.TextChoices):
        NONE = "none", _("Nobody: the team picks")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Least open work")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="teams",
                                   verbose_name=_("department"))
    code = models.SlugField(_("code"), max_length=80)
    assignment_strategy = models.CharField(_("assignment"), max_length=20, choices=Strategy.choices,
                                           default=Strategy.NONE)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams",
                                     verbose_name=_("members"))
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams",
                                   verbose_name=_("team leads"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="unique_team_code")]


class AreaLayer(Translated):
    """A set of polygons that cover a jurisdiction one way: neighborhoods, districts, maintenance regions."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="area_layers",
                                     verbose_name=_("jurisdiction"))
    code = models.SlugField(_("code"), max_length=60)

    class Meta:
        verbose_name = _("area layer")
        verbose_name_plural = _("area layers")
        ordering = ["jurisdiction", "code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="unique_area_layer_code")]


class Area(Translated):
    layer = models.ForeignKey(AreaLayer, on_delete=models.CASCADE, related_name="areas", verbose_name=_("layer"))
    code = models.CharField(_("code"), max_length=120)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)  # GiST-indexed by GeoDjango

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["layer", "name"]
        constraints = [models.UniqueConstraint(fields=["layer", "code"], name="unique_area_code")]
