"""Reads for the resident pages, one per screen; they own select_related/prefetch_related."""

import json
import re
from itertools import groupby

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import CharField, F, Func, Prefetch, Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from requests_app.geocoding import addresses_matching
from requests_app.models import Jurisdiction, Photo, ServiceRequest, ServiceType, StatusChange
from requests_app.public_location import public_point
from requests_app.selectors import filing_service_type
from requests_app.statuses import Status
from routing.models import Area


def service_groups(*, jurisdiction: Jurisdiction, query: str = "") -> list[tuple[str, list[ServiceType]]]:
    """The jurisdiction's active service types as (group name, types); with a query, those whose name,
    description, group or search words (both languages) contain any of its words."""
    types = ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).order_by("group", "name")
    words = search_words(query)
    if words:
        types = types.annotate(
            words=Func(F("keywords"), Value(" "), function="array_to_string", output_field=CharField())
        )
        match = Q()
        for word in words:
            match |= (
                Q(name__icontains=word)
                | Q(name_translations__icontains=word)
                | Q(description__icontains=word)
                | Q(description_translations__icontains=word)
                | Q(group__icontains=word)
                | Q(group_translations__icontains=word)
                | Q(words__icontains=word)
            )
        types = types.filter(match)
    grouped = groupby(types, key=lambda st: st.localized_group())
    return [(group, list(members)) for group, members in grouped]


def search_words(query: str) -> list[str]:
    """The words of a search: Latin words of two letters or more, and each Chinese character (a single
    character such as 坑 is already a word)."""
    words = []
    for word in query.lower().split()[:8]:
        if any("\u4e00" <= ch <= "\u9fff" for ch in word):
            words.extend(ch for ch in word if "\u4e00" <= ch <= "\u9fff")
            words.append(word)
        elif len(word) > 1:
            words.append(word)
    return list(dict.fromkeys(words))[:16]


# The text classifier's top guess must be at least this likely to be offered as "looks like".
SUGGESTION_PROBABILITY = 0.5


def suggested_service_type(*, jurisdiction: Jurisdiction, text: str) -> ServiceType | None:
    """The service type the jurisdiction's text classifier reads in ``text``, when it is fairly sure."""
    from routing import classifier
    from routing.models import TextClassifier

    model = TextClassifier.objects.filter(jurisdiction=jurisdiction).values_list("model", flat=True).first()
    if not model or not text.strip():
        return None
    predictions = classifier.predict(model, text)
    if not predictions or predictions[0][1] < SUGGESTION_PROBABILITY:
        return None
    return ServiceType.objects.filter(jurisdiction=jurisdiction, code=predictions[0][0], active=True).first()


def not_sure_service_type(*, jurisdiction: Jurisdiction) -> ServiceType | None:
    """The catch-all type for "not sure, describe it": the first of the city's general types, sorted by triage."""
    from routing.models import RoutingSettings

    codes = (
        RoutingSettings.objects.filter(jurisdiction=jurisdiction).values_list("general_type_codes", flat=True).first()
    )
    if not codes:
        return None
    found = {st.code: st for st in ServiceType.objects.filter(jurisdiction=jurisdiction, code__in=codes, active=True)}
    return next((found[code] for code in codes if code in found), None)


def service_type_form(*, jurisdiction: Jurisdiction, code: str) -> ServiceType:
    """An active service type with its questions, for its filing form. Raises Http404."""
    service_type = filing_service_type(jurisdiction_id=jurisdiction.pk, code=code)
    if service_type is None or not service_type.active:
        raise Http404
    return service_type


def area_outlines(*, jurisdiction: Jurisdiction) -> list[dict]:
    """Simplified outlines of the jurisdiction's areas, drawn on the map where no tiles are configured."""
    from routing.models import Area

    areas = (
        Area.objects.filter(layer__jurisdiction=jurisdiction)
        .only("name", "name_translations", "boundary")
        .order_by("layer_id", "name")
    )
    return [
        {"name": area.localized_name(), "geometry": area.boundary.simplify(0.0005, preserve_topology=True).geojson}
        for area in areas
    ]


# Below this zoom a street network is a grey blur that costs a whole city's lines per tile: no streets there.
MIN_STREET_ZOOM = 13
STREET_TILE_PIXELS = 256


def streets_version(*, jurisdiction: Jurisdiction) -> str:
    """Changes whenever `import_streets` replaces the jurisdiction's streets (it writes every row anew); "" when
    there are none."""
    from django.db.models import Count, Max

    from requests_app.models import StreetSegment

    found = StreetSegment.objects.filter(jurisdiction=jurisdiction).aggregate(n=Count("id"), last=Max("id"))
    return f"{found['n']}-{found['last']}" if found["n"] else ""


def street_tile(
    *, jurisdiction: Jurisdiction, bounds: tuple[float, float, float, float], z: int, language: str
) -> dict:
    """The street centrelines crossing one map tile as GeoJSON: one feature per street name, cut to the tile (with
    a few pixels over its edges, so lines meet across tiles) and simplified to a pixel, named in ``language``."""
    from django.db import connection

    if z < MIN_STREET_ZOOM:
        return {"type": "FeatureCollection", "features": []}
    west, south, east, north = bounds
    pixel = (east - west) / STREET_TILE_PIXELS
    margin = 4 * pixel
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, coalesce(nullif(max(name_translations ->> %s), ''), name),"
            " ST_AsGeoJSON(ST_LineMerge(ST_CollectionExtract(ST_Collect(ST_SimplifyPreserveTopology("
            "   ST_Intersection(centreline, box.env), %s)), 2)), 6)"
            " FROM requests_app_streetsegment,"
            " (SELECT ST_MakeEnvelope(%s, %s, %s, %s, 4326) AS env) box"
            " WHERE jurisdiction_id = %s AND centreline && box.env"
            " GROUP BY name ORDER BY name",
            [language, pixel / 2, west - margin, south - margin, east + margin, north + margin, jurisdiction.pk],
        )
        rows = cursor.fetchall()
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": label}, "geometry": json.loads(geometry)}
            for _name, label, geometry in rows
            if geometry and '"coordinates":[]' not in geometry
        ],
    }


def street_vector_tile(*, jurisdiction: Jurisdiction, tile, language: str) -> bytes:
    """The same streets as street_tile, as a Mapbox Vector Tile (layer "streets", a "name" per street) for the
    public map: cut and simplified to the tile's grid by ST_AsMVTGeom."""
    from django.db import connection

    if tile.z < MIN_STREET_ZOOM:
        return b""
    west, south, east, north = tile.bounds()
    margin = 4 * (east - west) / STREET_TILE_PIXELS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsMVT(t, 'streets') FROM (SELECT coalesce(nullif(max(name_translations ->> %s), ''), name)"
            " AS name, ST_AsMVTGeom(ST_Transform(ST_LineMerge(ST_Collect(centreline)), 3857),"
            " ST_TileEnvelope(%s, %s, %s)) AS geom"
            " FROM requests_app_streetsegment WHERE jurisdiction_id = %s"
            " AND centreline && ST_MakeEnvelope(%s, %s, %s, %s, 4326) GROUP BY name) t WHERE geom IS NOT NULL",
            [
                language,
                tile.z,
                tile.x,
                tile.y,
                jurisdiction.pk,
                west - margin,
                south - margin,
                east + margin,
                north + margin,
            ],
        )
        return bytes(cursor.fetchone()[0])


def _public_changes():
    return Prefetch(
        "status_changes",
        queryset=StatusChange.objects.only("service_request_id", "at", "old_status", "new_status", "public_note"),
    )


def public_timeline(changes) -> list[dict]:
    """What a resident reads of a request's history: one entry per status reached or public note written.

    A history row that keeps the status (routing's explanation, an overdue flag) is an update, shown only when
    it says something in public; an entry that repeats the one before it (same label, same note) is dropped.
    Public notes were masked when they were written (requests_app.public_text): shown as stored.
    """
    entries: list[dict] = []
    for change in changes:
        note = change.public_note
        if change.old_status == change.new_status:
            if not note:
                continue
            label = _("Update")
        else:
            label = Status(change.new_status).label
        if entries and entries[-1]["label"] == label and entries[-1]["note"] in ("", note):
            entries[-1]["note"] = note
            continue
        entries.append({"at": change.at, "label": label, "status": change.new_status, "note": note})
    return entries


def excerpt(text: str, length: int = 120) -> str:
    """The start of a text on one line, cut at a word where it can be."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[length // 2 :] else cut) + "…"


def _with_public_text(sr: ServiceRequest) -> ServiceRequest:
    sr.timeline = public_timeline(sr.status_changes.all())
    sr.public_location = public_point(sr)
    return sr


def tracking_page_for(*, token: str) -> ServiceRequest:
    """The request behind a private tracking link with its timeline, department, team and photos (their blurred
    public copies only: a tracking link gets forwarded). Raises Http404."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team")
        .prefetch_related(
            _public_changes(),
            Prefetch(
                "photos",
                queryset=Photo.objects.public()
                .exclude(public_image="")
                .exclude(source=Photo.Source.CREW)
                .order_by("created_at"),
            ),
            "resident_comments",
        )
        .tracked_by(token)
    )
    sr.tracking_token = token  # the pages link to themselves; the database has only the digest
    return _with_public_text(sr)


def public_page_for(*, public_id: str) -> ServiceRequest:
    """The public version of a request: its masked description and timeline, no photos, nothing personal."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team").prefetch_related(
            _public_changes()
        ),
        public_id=public_id.upper(),
    )
    return _with_public_text(sr)


def places_matching(*, jurisdiction, query: str, limit: int = 8) -> list[dict]:
    """Places a resident may mean by ``query``, from the jurisdiction's own data: its street addresses (from
    imported centrelines), its area names and the addresses of its requests. Each is {"label", "kind", "lat",
    "lon"}; no outside geocoder is asked.

    Addresses of sensitive service types are left out: they may be someone's home.
    """
    query = query.strip()
    if len(query) < 2:
        return []
    places = addresses_matching(jurisdiction=jurisdiction, query=query, limit=limit)
    areas = (
        Area.objects.filter(layer__jurisdiction=jurisdiction)
        .filter(Q(name__icontains=query) | Q(name_translations__icontains=query))
        .annotate(point=PointOnSurface("boundary"))
        .only("name", "name_translations")
        .order_by("name")[: max(limit - len(places), 0)]
    )
    places += [
        {"label": area.localized_name(), "kind": "area", "lat": round(area.point.y, 6), "lon": round(area.point.x, 6)}
        for area in areas
    ]
    addresses = (
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .filter(address__iregex=re.escape(query), location__isnull=False, service_type__sensitive=False)
        .order_by("address")
        .distinct("address")
        .values_list("address", "location")[: max(limit - len(places), 0)]
    )
    places += [
        {"label": address, "kind": "address", "lat": round(point.y, 6), "lon": round(point.x, 6)}
        for address, point in addresses
    ]
    return places
