"""Addresses from the city's own street centrelines (StreetSegment, loaded by `manage.py import_streets`):
"2000 Mission St" to a point, and a point to "near 2000 Mission St". No outside geocoder is asked.

Names are matched by trigram similarity (pg_trgm) and by substring, so that both scripts work: pg_trgm only
makes trigrams of letters and digits its locale knows, and Chinese street names (深南大道) are matched whole.
"""

import math
import re

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q
from django.db.models.functions import Greatest

from .models import StreetSegment

NUMBERED = re.compile(r"^\s*(\d{1,6})\s*[,]?\s+(.+)$")
# How close a street must be to name the address at a point (metres).
NEAREST_METRES = 150
SIMILARITY = 0.3


def _sides(segment) -> list[tuple[int, int]]:
    return [
        (a, b)
        for a, b in ((segment.left_from, segment.left_to), (segment.right_from, segment.right_to))
        if a is not None and b is not None
    ]


def _point_at(segment, number: int) -> Point | None:
    for first, last in _sides(segment):
        low, high = min(first, last), max(first, last)
        if low <= number <= high:
            fraction = 0.5 if first == last else (number - first) / (last - first)
            return segment.centreline.interpolate_normalized(fraction)
    return None


def addresses_matching(*, jurisdiction, query: str, limit: int = 8) -> list[dict]:
    """Street addresses for a search such as "2000 Mission" or "Valencia" or "深南大道", best first:
    {"label", "kind": "street", "lat", "lon"}."""
    query = query.strip()
    match = NUMBERED.match(query)
    number, street = (int(match.group(1)), match.group(2).strip()) if match else (None, query)
    if len(street) < 2:
        return []
    segments = (
        StreetSegment.objects.filter(jurisdiction=jurisdiction)
        .annotate(similarity=Greatest(TrigramSimilarity("name", street), TrigramSimilarity("name", query)))
        .filter(Q(similarity__gte=SIMILARITY) | Q(name__icontains=street) | Q(name_translations__icontains=street))
        .order_by("-similarity", "name", "id")[:200]
    )
    places, seen = [], set()
    for segment in segments:
        name = segment.localized_name()
        if number is not None:
            point = _point_at(segment, number)
            if point is None:
                continue
            label = f"{number} {name}"
        else:
            if name in seen:
                continue
            point, label = segment.centreline.interpolate_normalized(0.5), name
        if label in seen:
            continue
        seen.add(label)
        places.append({"label": label, "kind": "street", "lat": round(point.y, 6), "lon": round(point.x, 6)})
        if len(places) >= limit:
            break
    return places


def nearest_address(*, jurisdiction, point: Point) -> str:
    """The street address nearest ``point`` ("2000 Mission St"), or the street's name where it has no numbers;
    empty when no street is within NEAREST_METRES."""
    segment = (
        StreetSegment.objects.filter(jurisdiction=jurisdiction, centreline__distance_lte=(point, D(m=NEAREST_METRES)))
        .annotate(distance=Distance("centreline", point))
        .order_by("distance")
        .first()
    )
    if segment is None:
        return ""
    name = segment.localized_name()
    sides = _sides(segment)
    if not sides:
        return name
    fraction = segment.centreline.project_normalized(point)
    # The side of the street the point is on decides odd or even; the left side is the first given.
    start, end = segment.centreline.coords[0], segment.centreline.coords[-1]
    cross = (end[0] - start[0]) * (point.y - start[1]) - (end[1] - start[1]) * (point.x - start[0])
    first, last = sides[0] if (cross > 0 or len(sides) == 1) else sides[-1]
    raw = first + fraction * (last - first)
    step = 2 if (last - first) % 2 == 0 else 1  # one side holds odd or even numbers
    number = first + math.floor((raw - first) / step + 0.5) * step  # half up, not to even
    return f"{int(number)} {name}"
