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


class MapCell(models.Model):
    """Requests counted per grid cell of the map, kept current as requests are filed and change
    (services.count_on_map), so that a city-wide tile sums a few hundred rows instead of clustering every point.

    A band serves the map zoom of its number: its cells are the tiles of zoom band + CELL_LEVELS (8 per tile
    side). The counts are kept three times over, so that a date filter reads whole months and only its two edge
    months by day: span "a" (all time, period empty), "m" (period = the month's first day) and "d" (the day),
    days in the jurisdiction's time zone. Points are the published ones (sensitive types on their grid).
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    span = models.CharField(max_length=1)
    cx = models.IntegerField()
    cy = models.IntegerField()
    period = models.DateField(null=True)
    # Plain ids, not foreign keys: a filing updates up to 18 of these rows, and the ids come from the request.
    service_type_id = models.IntegerField()
    department_id = models.IntegerField(null=True)
    status = models.CharField(max_length=20)
    n = models.IntegerField()
    sum_x = models.FloatField()
    sum_y = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "jurisdiction",
                    "band",
                    "span",
                    "cx",
                    "cy",
                    "period",
                    "service_type_id",
                    "department_id",
                    "status",
                ],
                nulls_distinct=False,
                name="map_cell_key",
            )
        ]

    def __str__(self):
        return f"band {self.band} cell {self.cx}/{self.cy}: {self.n}"


class MapCellMember(models.Model):
    """What a request last added to the map cells: the next change takes exactly this away again."""

    service_request = models.OneToOneField(
        "requests_app.ServiceRequest", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    jurisdiction_id = models.IntegerField()
    service_type_id = models.IntegerField()
    department_id = models.IntegerField(null=True)
    status = models.CharField(max_length=20)
    day = models.DateField()
    px = models.FloatField()
    py = models.FloatField()

    def __str__(self):
        return f"request {self.service_request_id} on the map"
