"""Where a request is shown in public. Sensitive types (noise, anything at a home) are snapped to a grid
so that no public output points at a door; staff always see the exact point."""

from django.contrib.gis.geos import Point

# About 220 m north-south; enough to cover a block, small enough to stay useful on a city map.
GRID_DEGREES = 0.002


def coarsen(point: Point) -> Point:
    snap = lambda v: round(round(v / GRID_DEGREES) * GRID_DEGREES, 6)  # noqa: E731
    return Point(snap(point.x), snap(point.y), srid=point.srid or 4326)


def public_point(service_request) -> Point | None:
    """The point to publish for a request (needs ``service_type`` loaded)."""
    if service_request.location is None:
        return None
    if service_request.service_type.sensitive:
        return coarsen(service_request.location)
    return service_request.location
