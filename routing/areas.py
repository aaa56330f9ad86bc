"""Area layers: which areas cover a point (one query for a whole batch), and importing layers from GeoJSON."""

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction

from .models import Area, AreaLayer

AREAS_SQL = """
    SELECT p.i, a.id
    FROM unnest(%s::int[], %s::float8[], %s::float8[]) AS p(i, x, y)
    JOIN routing_area a ON ST_Covers(a.boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
    JOIN routing_arealayer l ON l.id = a.layer_id AND l.jurisdiction_id = %s
"""


def areas_covering(jurisdiction_id: int, points: list, *, known: dict[int, Area] | None = None) -> list[list[Area]]:
    """The areas of every layer of a jurisdiction that cover each point (None: no point), in one query.

    ``known`` keeps the areas already read (a routing context's), so a batch reads only areas it meets first.
    """
    located = [(i, p) for i, p in enumerate(points) if p is not None]
    found: list[list[Area]] = [[] for _p in points]
    if not located:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            AREAS_SQL,
            [[i for i, _p in located], [p.x for _i, p in located], [p.y for _i, p in located], jurisdiction_id],
        )
        pairs = cursor.fetchall()
    areas = {} if known is None else known
    missing = {area_id for _i, area_id in pairs} - areas.keys()
    if missing:
        areas.update(
            Area.objects.filter(pk__in=missing)
            .select_related("layer")
            .only("id", "code", "name", "name_translations", "layer__id", "layer__code", "layer__name")
            .in_bulk()
        )
    for i, area_id in pairs:
        found[i].append(areas[area_id])
    for row in found:
        row.sort(key=lambda a: (a.layer.code, a.pk))
    return found


class InvalidGeometries(Exception):
    """Raised with [(feature number, feature name, problem)] when features can't be imported as they are."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__(f"{len(problems)} invalid features")
        self.problems = problems


def _polygons_of(geom) -> MultiPolygon | None:
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=4326)
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [p for g in geom for p in (g if g.geom_type == "MultiPolygon" else [g]) if p.geom_type == "Polygon"]
        return MultiPolygon(*parts, srid=4326) if parts else None
    return None


def prepare_area_features(
    features: list[dict], *, name_field: str, code_field: str | None = None, repair: bool = False
) -> list[tuple[str, str, MultiPolygon]]:
    """Check every feature of a GeoJSON layer and return (code, name, boundary) for each.

    Raises InvalidGeometries listing every bad feature; with ``repair`` invalid shapes are made valid instead.
    """
    prepared, problems = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        name = str(properties.get(name_field) or "").strip()
        code = slugify(str(properties.get(code_field) or "")) if code_field else slugify(name)
        label = name or f"#{number}"
        if not name or not code:
            problems.append((number, label, _("no %(field)s property") % {"field": code_field or name_field}))
            continue
        try:
            geom = GEOSGeometry(json.dumps(feature.get("geometry")), srid=4326)
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            problems.append((number, label, _("unreadable geometry (%(error)s)") % {"error": exc}))
            continue
        if not geom.valid:
            if not repair:
                problems.append((number, label, geom.valid_reason))
                continue
            geom = geom.make_valid()
        boundary = _polygons_of(geom)
        if boundary is None or boundary.empty:
            problems.append((number, label, _("not a polygon (%(type)s)") % {"type": geom.geom_type}))
            continue
        prepared.append((code[:120], name[:200], boundary))
    if problems:
        raise InvalidGeometries(problems)
    return prepared


@transaction.atomic
def import_area_layer(
    jurisdiction: Jurisdiction, *, code: str, name: str, areas: list[tuple[str, str, MultiPolygon]], progress=None
) -> tuple[AreaLayer, int]:
    """Create or refresh an area layer from prepared areas; returns the layer and how many areas are new."""
    layer, _created = AreaLayer.objects.get_or_create(jurisdiction=jurisdiction, code=code, defaults={"name": name})
    created = 0
    for area_code, area_name, boundary in areas:
        _area, was_created = Area.objects.update_or_create(
            layer=layer, code=area_code, defaults={"name": area_name, "boundary": boundary}
        )
        created += was_created
        if progress:
            progress.advance()
    return layer, created
