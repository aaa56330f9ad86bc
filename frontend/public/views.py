import csv
import hashlib
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from frontend.pages import map_layer_config
from requests_app.statuses import Status

from . import selectors
from .csv_cells import safe_row
from .dictionary import export_field_descriptions
from .forms import BoundsForm, RequestFilterForm, StatsWindowForm, form_errors
from .selectors import EXPORT_FIELDS
from .stats import Suppressed, ask_for_statistics, statistics_for
from .tiles import Tile

TILE_MAX_AGE = 60
DEFAULT_MAP_DAYS = 90


def _etag(request, *args, **kwargs):
    # Tiles, cards and outlines change only when requests change; the language changes labels.
    if not hasattr(request, "public_etag"):
        raw = f"{selectors.data_version()}|{get_language()}|{request.get_full_path()}"
        request.public_etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return request.public_etag


def _cacheable(response):
    patch_cache_control(response, public=True, max_age=TILE_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _bad_filters(form):
    return JsonResponse({"errors": form_errors(form)}, status=400)


@require_GET
def map_page(request, slug):
    jurisdiction = selectors.public_jurisdiction(slug)
    # What people come to see first: what is open, and recent. Every filter can widen it. "Recent" ends at the
    # newest request, so that a city whose feed paused (or a demo of past data) doesn't open on an empty map.
    newest = selectors.newest_request_date(jurisdiction)
    today = timezone.localdate(timezone=ZoneInfo(jurisdiction.timezone))
    since = min(today, newest or today) - timedelta(days=DEFAULT_MAP_DAYS)
    defaults = {"status": "open", "since": since}
    form = RequestFilterForm(request.GET or None, initial=defaults)
    if form.is_bound and not form.is_valid():
        form = RequestFilterForm(initial=defaults)
    choices = selectors.map_filter_choices(jurisdiction)
    extent = selectors.map_extent(jurisdiction)
    config = {
        "tiles": reverse("public:map-vector-tile", args=[slug, 0, 0, 0]).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
        "card": reverse("public:map-card", args=[slug, "PUBLICID"]),
        "list": reverse("public:map-list", args=[slug]),
        "page": "/requests/PUBLICID/",
        "areas": reverse("public:map-areas", args=[slug]),
        "extent": list(extent) if extent else None,
        "tileUrl": settings.CIVIC311_MAP_TILE_URL,
        "tileAttribution": settings.CIVIC311_MAP_TILE_ATTRIBUTION,
        "streets": reverse("frontend:street-vector-tile", args=[slug, 0, 0, 0]).replace(
            "/0/0/0.mvt", "/{z}/{x}/{y}.mvt"
        ),
        "maplibreWorker": static("maplibre/maplibre-gl-csp-worker.js"),
        "pointsZoom": selectors.POINTS_ZOOM,
        "permits": map_layer_config(slug),
        "labels": {
            "open": _("Open the request page"),
            "requests": _("requests"),
            "open_count": _("open"),
            "submitted": _("Submitted"),
            "acknowledged": _("Acknowledged"),
            "closed": _("Closed"),
            "expected": _("Expected"),
            "department": _("Handled by"),
            "reason": _("Why there"),
            "me_too": _('"Me too"'),
            "notes": _("Public notes"),
            "coarsened": _("Location shown approximately to protect privacy"),
            "truncated": _("Too many requests here: zoom in or filter to see them all"),
            "error": _("The map could not load these requests."),
            "show": _("Show on the map"),
            "none": _("No request here with these filters."),
            "close": _("Close"),
            "excerpt": _("What the resident wrote"),
            "no_map": _("This browser cannot draw the map (it needs WebGL): the list shows the requests instead."),
            "map": _("Map of requests"),
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
        },
        "timezone": jurisdiction.timezone,
    }
    return render(
        request,
        "public/map.html",
        {
            "jurisdiction": jurisdiction,
            "form": form,
            "choices": choices,
            "config": config,
            "statuses": Status.choices,
        },
    )


def _tile_key(request) -> str:
    # Every tile is keyed by the data version: a resident sees a new request at once, at any zoom (the city-wide
    # tiles are summed from the map cells, cheap enough to make again after each change).
    raw = f"{selectors.data_version()}|{get_language()}|{request.get_full_path()}"
    return "public:tile:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _tile_response(request, slug, z, x, y, make, content_type):
    jurisdiction = selectors.public_jurisdiction(slug)
    try:
        tile = Tile(z, x, y)
    except ValueError as error:
        return JsonResponse({"errors": {"tile": [str(error)]}}, status=400)
    form = RequestFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    key = _tile_key(request)
    body = cache.get(key)
    if body is None:
        body = make(jurisdiction, form.cleaned_data, tile)
        cache.set(key, body, 600)
    etag = quote_etag(hashlib.sha256(body if isinstance(body, bytes) else body.encode()).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
    return _cacheable(response)


@require_GET
def map_vector_tile(request, slug, z, x, y):
    return _tile_response(request, slug, z, x, y, selectors.map_vector_tile, "application/vnd.mapbox-vector-tile")


@require_GET
@condition(etag_func=_etag)
def map_card(request, slug, public_id):
    jurisdiction = selectors.public_jurisdiction(slug)
    card = selectors.request_card(jurisdiction, public_id)
    card["url"] = f"/requests/{card['public_id']}/"
    return _cacheable(JsonResponse(card, encoder=DjangoJSONEncoder))


@require_GET
def map_list(request, slug):
    jurisdiction = selectors.public_jurisdiction(slug)
    form = RequestFilterForm(request.GET)
    bounds = BoundsForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    if not bounds.is_valid():
        return _bad_filters(bounds)
    return _cacheable(JsonResponse(selectors.requests_in_view(jurisdiction, form.cleaned_data, bounds.box())))


@require_GET
@condition(etag_func=_etag)
def map_areas(request, slug):
    jurisdiction = selectors.public_jurisdiction(slug)
    response = JsonResponse(selectors.area_outlines(jurisdiction))
    response["Content-Type"] = "application/geo+json"
    return _cacheable(response)


@require_GET
def stats_page(request, slug):
    jurisdiction = selectors.public_jurisdiction(slug)
    k = selectors.suppression_k(jurisdiction)
    window_form = StatsWindowForm(request.GET or None)
    window = window_form.window() if window_form.is_bound and window_form.is_valid() else (None, None)
    prepared = statistics_for(jurisdiction, k, window)
    if prepared is None:
        ask_for_statistics(jurisdiction)
        return render(request, "public/stats.html", {"jurisdiction": jurisdiction, "k": k, "preparing": True})
    tables, computed_at = prepared
    return render(
        request,
        "public/stats.html",
        {
            "jurisdiction": jurisdiction,
            "tables": tables.values(),
            "k": k,
            "computed_at": computed_at,
            "empty_tables": [t for t in tables.values() if not t.rows],
            "window_form": window_form,
        },
    )


def _cell(value):
    if isinstance(value, Suppressed):
        return str(value)
    return value


@require_GET
def stats_csv(request, slug, key):
    jurisdiction = selectors.public_jurisdiction(slug)
    prepared = statistics_for(jurisdiction)
    if prepared is None:
        ask_for_statistics(jurisdiction)
        response = HttpResponse(
            _("The statistics are being prepared; try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    table = prepared[0].get(key)
    if table is None:
        raise Http404(_("No such table."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{key}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(safe_row(_cell(v) for v in row))
    return response


@require_GET
def data_dictionary(request, slug):
    jurisdiction = selectors.public_jurisdiction(slug)
    return render(
        request,
        "public/open_data.html",
        {
            "jurisdiction": jurisdiction,
            "fields": export_field_descriptions(),
            "choices": selectors.map_filter_choices(jurisdiction),
        },
    )


def _export(request, slug, read=selectors.export_rows):
    jurisdiction = selectors.public_jurisdiction(slug)
    form = RequestFilterForm(request.GET)
    if not form.is_valid():
        return jurisdiction, None, _bad_filters(form)
    return jurisdiction, read(jurisdiction, form.cleaned_data), None


@require_GET
def export_csv(request, slug):
    _jurisdiction, chunks, error = _export(request, slug, selectors.export_csv_chunks)
    if error:
        return error
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-requests.csv"'
    return response


@require_GET
def export_geojson(request, slug):
    _jurisdiction, rows, error = _export(request, slug)
    if error:
        return error
    properties = [f for f in EXPORT_FIELDS if f not in ("longitude", "latitude")]

    def chunks():
        yield '{"type":"FeatureCollection","features":['
        first = True
        for row in rows:
            record = dict(zip(EXPORT_FIELDS, row, strict=False))
            lon, lat = record.pop("longitude"), record.pop("latitude")
            feature = {
                "type": "Feature",
                "id": record["public_id"],
                "geometry": None if lon is None else {"type": "Point", "coordinates": [lon, lat]},
                "properties": {f: record[f] for f in properties},
            }
            yield ("" if first else ",") + json.dumps(feature, separators=(",", ":"), ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{slug}-requests.geojson"'
    return response
