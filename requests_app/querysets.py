from django.contrib.gis.db import models
from django.contrib.gis.measure import D

from .statuses import CLOSED_STATUSES, OPEN_STATUSES, RoutingState


class ServiceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def in_jurisdiction(self, jurisdiction):
        return self.filter(jurisdiction=jurisdiction)

    def waiting_for_routing(self):
        return self.filter(routing_state=RoutingState.PENDING)

    def near(self, point, metres):
        # distance_lte on a 4326 geometry measures on the spheroid; dwithin would want degrees.
        return self.filter(location__distance_lte=(point, D(m=metres)))
