"""Every read of the public pages: the map's tiles and cards, the statistics, the exports and the feeds.

Nothing here returns an exact location of a sensitive request or unmasked free text: points go through
expressions.public_x/public_y (SQL) or requests_app.public_location.public_point (Python); text is the public
text stored when it was written (public_description, masked public notes; requests_app.public_text).
"""

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.db.models import Extent, GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.contrib.gis.geos import Polygon
from django.db import connection, connections
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from frontend.selectors import excerpt
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType, StatusChange
from requests_app.public_location import GRID_DEGREES, public_point
from requests_app.statuses import CLOSED_STATUSES, OPEN_STATUSES, Status
from routing.models import Area, AreaLayer, Department
from routing.selectors import routing_reason_for

from .csv_cells import safe_text
from .expressions import IsoUtc, Percentile, coarsened, hours_between, public_x, public_y
from .models import DEFAULT_SUPPRESSION_K, PublicSettings
from .services import CELL_LEVELS, HIGHEST_BAND, LOWEST_BAND
from .tiles import Tile

# From this zoom on the map shows each request; below it, server-side clusters.
POINTS_ZOOM = 16
MAX_POINTS_PER_TILE = 2000
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def public_jurisdiction(slug: str) -> Jurisdiction:
    """The jurisdiction for a public URL; raises Http404."""
    return get_object_or_404(Jurisdiction, slug=slug)


def data_version() -> str:
    """Changes whenever a request is added or changes: the base of ETags and cache keys."""
    latest = ServiceRequest.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "empty"


def suppression_k(jurisdiction) -> int:
    row = PublicSettings.objects.filter(jurisdiction=jurisdiction).values_list("suppression_k", flat=True).first()
    return row or DEFAULT_SUPPRESSION_K


def main_area_layer(jurisdiction) -> AreaLayer | None:
    return AreaLayer.objects.filter(jurisdiction=jurisdiction).order_by("id").first()


def map_filter_choices(jurisdiction) -> dict:
    """Options of the map's filters: service types, groups, departments and the main layer's areas."""
    types = list(
        ServiceType.objects.filter(jurisdiction=jurisdiction).only(
            "code", "name", "name_translations", "group", "group_translations"
        )
    )
    layer = main_area_layer(jurisdiction)
    areas = list(Area.objects.filter(layer=layer).only("id", "name", "name_translations")) if layer else []
    return {
        "service_types": sorted(((t.code, t.localized_name()) for t in types), key=lambda c: c[1]),
        "groups": sorted({(t.group, t.localized_group()) for t in types if t.group}, key=lambda c: c[1]),
        "departments": [
            (d.code, d.localized_name()) for d in Department.objects.filter(jurisdiction=jurisdiction, active=True)
        ],
        "areas": sorted(((a.id, a.localized_name()) for a in areas), key=lambda c: c[1]),
    }


def newest_request_date(jurisdiction):
    """The local date of the jurisdiction's newest request, or None."""
    newest = ServiceRequest.objects.in_jurisdiction(jurisdiction).aggregate(newest=Max("submitted_at"))["newest"]
    return newest.astimezone(ZoneInfo(jurisdiction.timezone)).date() if newest else None


def map_extent(jurisdiction) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the jurisdiction's areas, else of its requests."""
    extent = Area.objects.filter(layer__jurisdiction=jurisdiction).aggregate(e=Extent("boundary"))["e"]
    return extent or ServiceRequest.objects.filter(jurisdiction=jurisdiction).aggregate(e=Extent("location"))["e"]


def area_outlines(jurisdiction) -> dict:
    """The main layer's areas as simplified GeoJSON (for drawing outlines without a base map)."""
    layer = main_area_layer(jurisdiction)
    if layer is None:
        return {"type": "FeatureCollection", "features": []}
    areas = (
        Area.objects.filter(layer=layer)
        .order_by("id")
        .annotate(outline=AsGeoJSON(SimplifyPreserveTopology("boundary", 0.0002), precision=5))
        .only("id", "name", "name_translations")
    )
    features = [
        {"type": "Feature", "id": a.pk, "geometry": json.loads(a.outline), "properties": {"name": a.localized_name()}}
        for a in areas
    ]
    return {"type": "FeatureCollection", "features": features}


class SimplifyPreserveTopology(GeoFunc):
    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)

    @property
    def output_field(self):
        return GeometryField(srid=4326)


def filtered_requests(jurisdiction, filters: dict):
    """Requests of a jurisdiction narrowed by RequestFilterForm's cleaned data."""
    qs = ServiceRequest.objects.in_jurisdiction(jurisdiction)
    if filters.get("service_type"):
        qs = qs.filter(service_type__code=filters["service_type"])
    if filters.get("group"):
        qs = qs.filter(service_type__group=filters["group"])
    status = filters.get("status")
    if status == "open":
        qs = qs.open()
    elif status == "closed":
        qs = qs.closed()
    elif status:
        qs = qs.filter(status=status)
    if filters.get("department"):
        qs = qs.filter(department__code=filters["department"])
    if filters.get("area"):
        qs = qs.filter(
            Exists(
                Area.objects.filter(
                    pk=filters["area"], layer__jurisdiction=jurisdiction, boundary__covers=OuterRef("location")
                )
            )
        )
    zone = ZoneInfo(jurisdiction.timezone)
    if filters.get("since"):
        qs = qs.filter(submitted_at__gte=datetime.combine(filters["since"], time.min, tzinfo=zone))
    if filters.get("until"):
        qs = qs.filter(submitted_at__lt=datetime.combine(filters["until"] + timedelta(days=1), time.min, tzinfo=zone))
    return qs


def _in_tile(qs, tile: Tile):
    return _in_box(qs, *tile.bounds())


def _in_box(qs, west: float, south: float, east: float, north: float):
    # The index narrows by the exact point (widened by one grid cell, since coarsening moves sensitive
    # points by up to half a cell); the tile itself is cut by the published point.
    margin = GRID_DEGREES
    box = Polygon.from_bbox((west - margin, south - margin, east + margin, north + margin))
    box.srid = 4326
    return (
        qs.filter(location__bboverlaps=box)
        .annotate(px=public_x(), py=public_y())
        .filter(px__gte=west, px__lt=east, py__gt=south, py__lte=north)
    )


MVT_LAYER = "requests"
_MVT_POINT = "ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(p.x, p.y), 4326), 3857), ST_TileEnvelope(%s, %s, %s))"


def map_vector_tile(jurisdiction, filters: dict, tile: Tile) -> bytes:
    """One map tile as a Mapbox Vector Tile (layer "requests"), made by PostGIS: below POINTS_ZOOM clusters
    (count, open), from it on single requests (public_id, status, open, the newest MAX_POINTS_PER_TILE), at their
    published points."""
    if tile.z >= POINTS_ZOOM:
        qs = _in_tile(filtered_requests(jurisdiction, filters), tile).order_by("-submitted_at")
        inner, inner_params = qs.values("public_id", "status", "px", "py")[:MAX_POINTS_PER_TILE].query.sql_with_params()
        sql = (
            f"SELECT ST_AsMVT(t, '{MVT_LAYER}') FROM (SELECT {_MVT_POINT} AS geom, p.public_id,"
            " p.status, p.status = ANY(%s) AS open FROM (SELECT public_id, status, px AS x, py AS y FROM"
            f" ({inner}) q) p) t"
        )
        params = [tile.z, tile.x, tile.y, list(OPEN_STATUSES), *inner_params]
    else:
        inner, inner_params = _cluster_sql(jurisdiction, filters, tile)
        sql = (
            f"SELECT ST_AsMVT(t, '{MVT_LAYER}') FROM (SELECT {_MVT_POINT} AS geom, true AS cluster,"
            f" p.n AS count, p.n_open AS open FROM ({inner}) p) t"
        )
        params = [tile.z, tile.x, tile.y, *inner_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bytes(cursor.fetchone()[0])


def _cluster_sql(jurisdiction, filters: dict, tile: Tile) -> tuple[str, list]:
    """SQL of (n, n_open, x, y) per cluster of a tile below POINTS_ZOOM: summed from the map cells, so a city-wide
    tile reads a few hundred rows. The area filter has no cells (areas overlap and change): it clusters the
    requests themselves."""
    if filters.get("area"):
        return _live_cluster_sql(jurisdiction, filters, tile)
    band = min(max(tile.z, LOWEST_BAND), HIGHEST_BAND)
    levels = band + CELL_LEVELS - tile.z  # cell levels inside the tile
    where = ["jurisdiction_id = %s", "band = %s", "cx BETWEEN %s AND %s", "cy BETWEEN %s AND %s"]
    params = [jurisdiction.pk, band, tile.x << levels, ((tile.x + 1) << levels) - 1]
    params += [tile.y << levels, ((tile.y + 1) << levels) - 1]
    if filters.get("service_type"):
        where.append(
            "service_type_id IN (SELECT id FROM requests_app_servicetype WHERE jurisdiction_id = %s AND code = %s)"
        )
        params += [jurisdiction.pk, filters["service_type"]]
    if filters.get("group"):
        where.append(
            'service_type_id IN (SELECT id FROM requests_app_servicetype WHERE jurisdiction_id = %s AND "group" = %s)'
        )
        params += [jurisdiction.pk, filters["group"]]
    if filters.get("department"):
        where.append("department_id IN (SELECT id FROM routing_department WHERE jurisdiction_id = %s AND code = %s)")
        params += [jurisdiction.pk, filters["department"]]
    status = filters.get("status")
    if status:
        statuses = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}.get(status, [status])
        where.append("status = ANY(%s)")
        params.append(sorted(statuses))
    period, period_params = _cell_periods(filters.get("since"), filters.get("until"))
    where.append(period)
    params += period_params
    group = levels - CELL_LEVELS  # cells summed per cluster, per side: 2 ** group
    sql = (
        "SELECT sum(n)::int AS n, (coalesce(sum(n) FILTER (WHERE status = ANY(%s)), 0))::int AS n_open,"
        " sum(sum_x) / sum(n) AS x, sum(sum_y) / sum(n) AS y FROM public_mapcell"
        f" WHERE {' AND '.join(where)} GROUP BY cx >> {group}, cy >> {group} HAVING sum(n) > 0"
    )
    return sql, [list(OPEN_STATUSES), *params]


def _cell_periods(since, until) -> tuple[str, list]:
    """The cells of a date filter: all time without one; else whole months inside it, and its edge months by day."""
    if since is None and until is None:
        return "span = 'a'", []
    first_month = None
    if since is not None:
        first_month = since if since.day == 1 else _next_month(since)
    end_month = None  # exclusive
    if until is not None:
        after = until + timedelta(days=1)
        end_month = after if after.day == 1 else until.replace(day=1)
    if first_month is not None and end_month is not None and first_month >= end_month:
        return "span = 'd' AND period BETWEEN %s AND %s", [since, until]
    months, month_params = ["span = 'm'"], []
    days, day_params = [], []
    if first_month is not None:
        months.append("period >= %s")
        month_params.append(first_month)
        days.append("(period >= %s AND period < %s)")
        day_params += [since, first_month]
    if end_month is not None:
        months.append("period < %s")
        month_params.append(end_month)
        days.append("(period >= %s AND period <= %s)")
        day_params += [end_month, until]
    return (
        f"(({' AND '.join(months)}) OR (span = 'd' AND ({' OR '.join(days)})))",
        month_params + day_params,
    )


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _live_cluster_sql(jurisdiction, filters: dict, tile: Tile) -> tuple[str, list]:
    qs = _in_tile(filtered_requests(jurisdiction, filters), tile)
    west, south, east, north = tile.bounds()
    cells = 2**CELL_LEVELS
    # The published point is computed once per row in a subquery, then grouped into cells: the ORM alone
    # would repeat the coarsening CASE in WHERE, GROUP BY and every aggregate (twice as slow, measured).
    inner, params = qs.values("status", "px", "py").order_by().query.sql_with_params()
    sql = (
        "SELECT count(*)::int AS n, (count(*) FILTER (WHERE p.status = ANY(%s)))::int AS n_open, avg(p.px) AS x,"
        f" avg(p.py) AS y FROM ({inner}) p GROUP BY floor((p.px - %s) / %s), floor((p.py - %s) / %s)"
    )
    return sql, [list(OPEN_STATUSES), *params, west, (east - west) / cells, south, (north - south) / cells]


MAX_LISTED = 50


def requests_in_view(jurisdiction, filters: dict, bounds: tuple[float, float, float, float]) -> dict:
    """The newest requests the map shows inside ``bounds`` (west, south, east, north), as a list: the map's
    text equivalent for screen readers and for anyone who prefers reading to pointing."""
    qs = _in_box(filtered_requests(jurisdiction, filters), *bounds)
    rows = list(
        qs.select_related("service_type")
        .order_by("-submitted_at", "-id")
        .only(
            "public_id",
            "status",
            "submitted_at",
            "public_description",
            "service_type__name",
            "service_type__name_translations",
            "service_type__sensitive",
        )[: MAX_LISTED + 1]
    )
    zone = ZoneInfo(jurisdiction.timezone)
    return {
        "more": len(rows) > MAX_LISTED,
        "requests": [
            {
                "public_id": sr.public_id,
                "service_type": sr.service_type.localized_name(),
                "status": sr.status,
                "status_label": str(Status(sr.status).label),
                "open": sr.is_open,
                "submitted": sr.submitted_at.astimezone(zone).date().isoformat(),
                "excerpt": excerpt(sr.public_description, 90),
                "coordinates": [round(sr.px, 6), round(sr.py, 6)],
            }
            for sr in rows[:MAX_LISTED]
        ],
    }


def request_card(jurisdiction, public_id: str) -> dict:
    """The public card of one request (what a click on the map shows); raises Http404."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("service_type", "department", "jurisdiction"),
        jurisdiction=jurisdiction,
        public_id=public_id,
    )
    notes = list(
        StatusChange.objects.filter(service_request=sr)
        .exclude(public_note="")
        .order_by("at", "id")
        .values_list("public_note", flat=True)
    )
    point = public_point(sr)
    return {
        "public_id": sr.public_id,
        "service_type": sr.service_type.localized_name(),
        "status": sr.status,
        "status_label": str(Status(sr.status).label),
        "open": sr.is_open,
        "submitted_at": sr.submitted_at,
        "acknowledged_at": sr.acknowledged_at,
        "closed_at": sr.closed_at,
        "expected_at": sr.expected_at,
        "overdue": sr.is_open and sr.overdue,
        "me_too_count": sr.me_too_count,
        "department": sr.department.localized_name() if sr.department else "",
        "routing_reason": routing_reason_for(sr, language=get_language()),
        "description": sr.public_description,
        "public_notes": notes,
        "coordinates": [point.x, point.y] if point else None,
        "coarsened": sr.service_type.sensitive,
    }


# ---- Statistics -------------------------------------------------------------------------------------------


def requests_per_type(jurisdiction) -> list[dict]:
    return list(
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .values(code=F("service_type__code"), name=F("service_type__name"))
        .annotate(n=Count("id"))
        .order_by("-n", "code")
    )


def requests_per_month(jurisdiction) -> list[dict]:
    zone = ZoneInfo(jurisdiction.timezone)
    return list(
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )


def requests_per_area(jurisdiction) -> list[dict]:
    """Requests counted in the main layer's areas (a request in two overlapping areas counts in both)."""
    layer = main_area_layer(jurisdiction)
    if layer is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.name, count(sr.id) FROM routing_area a"
            " JOIN requests_app_servicerequest sr ON sr.jurisdiction_id = %s AND ST_Covers(a.boundary, sr.location)"
            " WHERE a.layer_id = %s GROUP BY a.id, a.name ORDER BY count(sr.id) DESC, a.name",
            [jurisdiction.pk, layer.pk],
        )
        return [{"id": pk, "name": name, "n": n} for pk, name, n in cursor.fetchall()]


def open_backlog(jurisdiction) -> list[dict]:
    return list(
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .open()
        .values(department_name=F("department__name"), type_name=F("service_type__name"))
        .annotate(n=Count("id"))
        .order_by("-n", "department_name", "type_name")
    )


def response_times(jurisdiction, by: str) -> list[dict]:
    """Median and 90th percentile hours to acknowledge and to resolve, per department or service type."""
    field = {"department": "department__name", "service_type": "service_type__name"}[by]
    to_ack = hours_between("submitted_at", "acknowledged_at")
    to_resolve = hours_between("submitted_at", "closed_at")
    resolved = Q(status__in=RESOLVED_STATUSES)
    return list(
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .values(name=F(field))
        .order_by()
        .annotate(
            n=Count("id"),
            n_acknowledged=Count("acknowledged_at"),
            n_resolved=Count("id", filter=resolved & Q(closed_at__isnull=False)),
            ack_p50=Percentile(to_ack, 0.5),
            ack_p90=Percentile(to_ack, 0.9),
            resolve_p50=Percentile(to_resolve, 0.5, filter=resolved),
            resolve_p90=Percentile(to_resolve, 0.9, filter=resolved),
        )
        .order_by("name")
    )


def resolve_times_by_area_and_month(jurisdiction) -> list[dict]:
    """Per main-layer area and month filed: resolved requests and the median hours to resolve them."""
    layer = main_area_layer(jurisdiction)
    if layer is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.name, date_trunc('month', sr.submitted_at AT TIME ZONE %s), count(*),"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM sr.closed_at - sr.submitted_at) / 3600.0)"
            " FROM requests_app_servicerequest sr JOIN routing_area a"
            " ON a.layer_id = %s AND ST_Covers(a.boundary, sr.location)"
            " WHERE sr.jurisdiction_id = %s AND sr.status = ANY(%s) AND sr.closed_at IS NOT NULL"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            [jurisdiction.timezone, layer.pk, jurisdiction.pk, list(RESOLVED_STATUSES)],
        )
        return [{"area": area, "month": month, "n": n, "resolve_p50": p50} for area, month, n, p50 in cursor.fetchall()]


def sla_share(jurisdiction) -> list[dict]:
    """Per department: closed requests that had an expected date, and how many closed by it."""
    return list(
        ServiceRequest.objects.in_jurisdiction(jurisdiction)
        .filter(status__in=CLOSED_STATUSES, expected_at__isnull=False, closed_at__isnull=False)
        .values(name=F("department__name"))
        .order_by()
        .annotate(n=Count("id"), n_within=Count("id", filter=Q(closed_at__lte=F("expected_at"))))
        .order_by("name")
    )


def weekly_counts(jurisdiction, by: str, weeks: int) -> tuple[list, dict[str, dict]]:
    """Weekly request counts per service type or area over the last ``weeks`` weeks of data.

    Returns (week starts, {label: {week start: count}}); only aggregates leave the database.
    """
    zone = ZoneInfo(jurisdiction.timezone)
    qs = ServiceRequest.objects.in_jurisdiction(jurisdiction)
    latest = qs.aggregate(latest=Max("submitted_at"))["latest"]
    if latest is None:
        return [], {}
    last_week = (latest.astimezone(zone) - timedelta(days=latest.astimezone(zone).weekday())).date()
    starts = [last_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    since = datetime.combine(starts[0], time.min, tzinfo=zone)
    if by == "service_type":
        rows = (
            qs.filter(submitted_at__gte=since)
            .annotate(week=TruncWeek("submitted_at", tzinfo=zone))
            .values("week", label=F("service_type__name"))
            .annotate(n=Count("id"))
            .order_by()
        )
        rows = [(r["label"], r["week"].date(), r["n"]) for r in rows]
    else:
        layer = main_area_layer(jurisdiction)
        rows = []
        if layer is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT a.name, (date_trunc('week', sr.submitted_at AT TIME ZONE %s))::date, count(*)"
                    " FROM requests_app_servicerequest sr JOIN routing_area a"
                    " ON a.layer_id = %s AND ST_Covers(a.boundary, sr.location)"
                    " WHERE sr.jurisdiction_id = %s AND sr.submitted_at >= %s GROUP BY 1, 2",
                    [jurisdiction.timezone, layer.pk, jurisdiction.pk, since],
                )
                rows = cursor.fetchall()
    series: dict[str, dict] = {}
    for label, week, n in rows:
        series.setdefault(label, {})[week] = n
    return starts, series


# ---- Open data and feeds ----------------------------------------------------------------------------------

EXPORT_FIELDS = [
    "public_id",
    "service_code",
    "service_name",
    "group",
    "status",
    "department",
    "submitted_at",
    "acknowledged_at",
    "closed_at",
    "expected_at",
    "longitude",
    "latitude",
    "location_coarsened",
    "address",
    "description",
    "me_too_count",
]


def export_rows(jurisdiction, filters: dict):
    """The public rows of an export, streamed from a server-side cursor in EXPORT_FIELDS order.

    Addresses of sensitive requests are left out (they point at the door the grid hides);
    the description is the public text stored when it was written.
    """
    # No ORDER BY: the cursor then streams rows as the table scan finds them, with no sort to wait for.
    rows = (
        filtered_requests(jurisdiction, filters)
        .order_by()
        .annotate(
            lon=public_x(),
            lat=public_y(),
            is_coarsened=coarsened(),
            submitted=IsoUtc("submitted_at"),
            acknowledged=IsoUtc("acknowledged_at"),
            closed=IsoUtc("closed_at"),
            expected=IsoUtc("expected_at"),
        )
        .values_list(
            "public_id",
            "service_type__code",
            "service_type__name",
            "service_type__group",
            "status",
            "department__code",
            "submitted",
            "acknowledged",
            "closed",
            "expected",
            "lon",
            "lat",
            "is_coarsened",
            "address",
            "public_description",
            "me_too_count",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        row = list(row)
        if row[12]:
            row[13] = ""
        yield row


# Bytes per chunk of the CSV export: COPY hands over one row at a time, the response takes them in bulk.
EXPORT_CHUNK_BYTES = 256 * 1024


def export_csv_chunks(jurisdiction, filters: dict) -> Iterator[bytes]:
    """The CSV export in EXPORT_FIELDS order, written by PostgreSQL's COPY from the stored public columns.

    The same rows and cells as ``export_rows`` with ``safe_cell`` applied, all done in SQL: the public point,
    no address for a sensitive type, the public description, formula-like text neutralised.
    """
    sensitive = Q(service_type__sensitive=True)
    rows = (
        filtered_requests(jurisdiction, filters)
        .order_by()  # no sort to wait for: COPY streams rows as the scan finds them
        .annotate(
            e_code=safe_text(F("service_type__code")),
            e_name=safe_text(F("service_type__name")),
            e_group=safe_text(F("service_type__group")),
            e_department=safe_text(F("department__code")),
            e_submitted=IsoUtc("submitted_at"),
            e_acknowledged=IsoUtc("acknowledged_at"),
            e_closed=IsoUtc("closed_at"),
            e_expected=IsoUtc("expected_at"),
            e_lon=public_x(),
            e_lat=public_y(),
            e_coarsened=Case(When(sensitive, then=Value("true")), default=Value("false")),
            e_address=Case(When(sensitive, then=None), default=safe_text(F("address"))),
            e_description=safe_text(F("public_description")),
        )
        .values_list(
            "public_id",
            "e_code",
            "e_name",
            "e_group",
            "status",
            "e_department",
            "e_submitted",
            "e_acknowledged",
            "e_closed",
            "e_expected",
            "e_lon",
            "e_lat",
            "e_coarsened",
            "e_address",
            "e_description",
            "me_too_count",
        )
    )
    # Chosen now, while the request's choice of database (primary or replica) is in force; the rows are read
    # later, as the response is sent.
    alias = rows.db
    sql, params = rows.query.sql_with_params()
    return _copied(alias, f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)


def _copied(alias: str, statement: str, params) -> Iterator[bytes]:
    yield (",".join(EXPORT_FIELDS) + "\n").encode()
    buffer = bytearray()
    with connections[alias].cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for row in copy:
            buffer += row
            if len(buffer) >= EXPORT_CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def feed_items(jurisdiction, *, area=None, service_type=None, limit: int = 30) -> list[ServiceRequest]:
    """The latest requests in one area or of one service type, for a feed."""
    qs = ServiceRequest.objects.in_jurisdiction(jurisdiction).select_related("service_type", "department")
    if area is not None:
        qs = qs.filter(location__coveredby=area.boundary)
    if service_type is not None:
        qs = qs.filter(service_type=service_type)
    return list(qs.order_by("-submitted_at", "-id")[:limit])


def feed_area(jurisdiction, area_id: int) -> Area:
    return get_object_or_404(Area, pk=area_id, layer__jurisdiction=jurisdiction)


def feed_service_type(jurisdiction, code: str) -> ServiceType:
    return get_object_or_404(ServiceType, jurisdiction=jurisdiction, code=code)
