import math

from django.contrib.gis.db import models
from django.contrib.gis.geos import Polygon
from django.contrib.gis.measure import D

from .public_ids import secret_digest
from .statuses import CLOSED_STATUSES, OPEN_STATUSES, RoutingState


class ServiceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def in_jurisdiction(self, jurisdiction):
        return self.filter(jurisdiction=jurisdiction)

    def tracked_by(self, token: str):
        # By digest: the plain token is stored nowhere. An index lookup on a digest leaks nothing about the token.
        return self.filter(tracking_token_digest=secret_digest(token))

    def waiting_for_routing(self):
        return self.filter(routing_state=RoutingState.PENDING)

    def near(self, point, metres):
        # distance_lte on a 4326 geometry measures on the spheroid but cannot use the GiST index (dwithin would
        # want degrees); a bounding box a little larger than the circle lets the index pick the candidates first.
        lat_deg = metres / 110_000
        lon_deg = metres / (110_000 * max(math.cos(math.radians(point.y)), 0.01))
        box = Polygon.from_bbox((point.x - lon_deg, point.y - lat_deg, point.x + lon_deg, point.y + lat_deg))
        box.srid = 4326
        return self.filter(location__bboverlaps=box, location__distance_lte=(point, D(m=metres)))


class PhotoQuerySet(models.QuerySet):
    def public(self):
        """Photos any public output may link: a blurred copy exists (or the photo is linked from elsewhere), and
        never one of a sensitive type's."""
        linked = models.Q(original="") & ~models.Q(external_url="")  # hosted elsewhere: nothing of ours to blur
        return self.filter(models.Q(state="public") | linked, service_request__service_type__sensitive=False)

    def waiting_for_blurring(self):
        return self.filter(state="pending").exclude(original="")
