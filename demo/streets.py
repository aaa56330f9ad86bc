"""Street lines for the demo city, traced from its own data: the demo ships no street centreline file, but its
requests name thousands of intersections ("Intersection of GEARY BLVD and LAGUNA ST") at their real position.

Along each street, the intersections it meets are put in order along the street's main direction and joined
where they are a few blocks apart at most. The result is an approximation (a curved street is drawn by its
chords, a street crossed by no request is missing); a city loads its real centrelines with `import_streets`.
"""

import math
import re
from collections import defaultdict
from itertools import pairwise

from django.contrib.gis.geos import LineString

INTERSECTION = re.compile(r"^Intersection of (.+?) and (.+?)$")
MAX_GAP_METRES = 450  # about three San Francisco blocks: farther apart, the street may bend or stop between


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    mean_lat = math.radians((a[1] + b[1]) / 2)
    return math.hypot((a[0] - b[0]) * math.cos(mean_lat), a[1] - b[1]) * 111_320


def _along_main_direction(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points in order along the direction they spread most (the first principal axis)."""
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    syy = sum((p[1] - my) ** 2 for p in points)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in points)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    return sorted(points, key=lambda p: (p[0] - mx) * math.cos(angle) + (p[1] - my) * math.sin(angle))


def street_segments_from_intersections(rows) -> list[dict]:
    """StreetSegment fields (no address ranges: intersections carry no house numbers) from rows with an
    ``incident_address`` and a ``longitude``/``latitude``."""
    crossings: dict[str, set[tuple[float, float]]] = defaultdict(set)
    for row in rows:
        match = INTERSECTION.match(row["incident_address"].strip())
        lon, lat = float(row["longitude"] or 0), float(row["latitude"] or 0)
        if not match or not (lon and lat):
            continue
        point = (round(lon, 6), round(lat, 6))
        for street in match.groups():
            crossings[street.strip()].add(point)
    segments = []
    for name, points in sorted(crossings.items()):
        ordered = _along_main_direction(sorted(points))
        for a, b in pairwise(ordered):
            if 0 < _metres(a, b) <= MAX_GAP_METRES:
                segments.append(
                    {"name": name[:200], "name_translations": {}, "centreline": LineString(a, b, srid=4326)}
                )
    return segments
