"""The public record of a request in GeoReport v2 form, read for the Open311 API's GET requests and for the
webhooks and onward deliveries of the integrations, so every outside system sees the same fields.

Every record goes through ``public_point`` (sensitive types are coarsened) and reads the public text stored when
it was written (``public_description``, ``public_answers``, masked public notes); a sensitive type publishes no
address, address id, postal code or photo.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Case, CharField, F, FloatField, Func, OuterRef, Subquery, Value, When
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone
from django.utils.translation import get_language

from requests_app.models import Jurisdiction, Photo, ServiceRequest, ServiceType, StatusChange
from requests_app.public_location import public_point
from requests_app.statuses import CLOSED_STATUSES, OPEN_STATUSES, Status
from routing.models import Department

from .mapping import FMS_STATUS, WIRE_STATUS, W3CText

# The widest requested-date window one call may ask for, and the one used when none is given.
MAX_WINDOW_DAYS = 90


class _Located(NamedTuple):
    location: object
    service_type: ServiceType


class _XY(NamedTuple):
    x: float
    y: float


def _public_xy(lng: float | None, lat: float | None, service_type: ServiceType):
    """``public_point`` for a row read as plain coordinates: a GEOS Point is built only where it coarsens."""
    if lng is None:
        return None
    location = Point(lng, lat, srid=4326) if service_type.sensitive else _XY(lng, lat)
    return public_point(_Located(location, service_type))


# Coordinates and W3C datetimes come out of PostgreSQL ready to serialise: a page of 1,000 builds no GEOS
# geometry and formats no datetime in Python.
LIST_COLUMNS = {
    "lng": Func("location", template="round(ST_X(%(expressions)s)::numeric, 6)::float8", output_field=FloatField()),
    "lat": Func("location", template="round(ST_Y(%(expressions)s)::numeric, 6)::float8", output_field=FloatField()),
    "requested": W3CText("submitted_at"),
    "updated": W3CText("updated_at"),
    "expected": W3CText("expected_at"),
}
_latest_public_note = (
    StatusChange.objects.filter(service_request=OuterRef("pk"))
    .exclude(public_note="")
    .order_by("-at", "-id")
    .values("public_note")[:1]
)
# Uploaded photos as their blurred public copy's path under MEDIA_URL (made absolute per request), linked ones
# as their URL. Never the original, never a crew's working photo, never a photo still waiting for its copy, never
# a sensitive type's.
_media_urls = (
    Photo.objects.public()
    .filter(service_request=OuterRef("pk"))
    .exclude(source=Photo.Source.CREW)
    .order_by("created_at", "id")
    .annotate(
        url=Case(
            When(public_image="", then=F("external_url")),
            default=Concat(Value(settings.MEDIA_URL), F("public_image")),
            output_field=CharField(),
        )
    )
    .values("url")
)
_history = (
    StatusChange.objects.filter(service_request=OuterRef("pk"))
    .order_by("at", "id")
    .annotate(entry=JSONObject(at=W3CText("at"), status="new_status", note="public_note"))
    .values("entry")
)
STATUS_LABELS = dict(Status.choices)

LIST_FIELDS = (
    "id",
    "public_id",
    "status",
    "service_type_id",
    "department_id",
    "public_description",
    "requested",
    "updated",
    "expected",
    "address",
    "address_id",
    "zipcode",
    "lng",
    "lat",
    "channel",
    "status_notes",
)


def requests_matching(jurisdiction: Jurisdiction, search: dict):
    """The requests a GET requests call asks for, newest first (before paging).

    Every filter is served by an index that also holds the order (submitted_at, id): see ServiceRequest.Meta.
    """
    qs = ServiceRequest.objects.filter(jurisdiction=jurisdiction)
    if search.get("service_request_id"):
        # Overrides every other filter (GeoReport v2).
        return qs.filter(public_id__in=search["service_request_id"])
    if search.get("service_code"):
        types = ServiceType.objects.filter(jurisdiction=jurisdiction, code__in=search["service_code"]).values("id")
        if len(search["service_code"]) == 1:
            # One code: a scalar subquery is one InitPlan, and the (service_type, submitted_at, id) index then
            # yields the page in order; a join would read every request of the type in the window first.
            qs = qs.filter(service_type=Subquery(types[:1]))
        else:
            qs = qs.filter(service_type__in=types)
    statuses = set(search.get("status") or ())
    if statuses == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    start, end = search.get("start_date"), search.get("end_date")
    after, before = search.get("updated_after"), search.get("updated_before")
    if after or before:
        # Not in GeoReport v2: syncing by update time; the requested-date window then applies only if given.
        if after:
            qs = qs.filter(updated_at__gt=after)
        if before:
            qs = qs.filter(updated_at__lt=before)
    else:
        window = timedelta(days=MAX_WINDOW_DAYS)
        if start is None and end is None:
            end = timezone.now()
        start = start or end - window
        end = end or start + window
    if start:
        qs = qs.filter(submitted_at__gte=start)
    if end:
        qs = qs.filter(submitted_at__lte=end)
    if search.get("after"):
        # Keyset paging on the list's order (submitted_at, id), read from the index from the anchor on: a deep page
        # costs what the first one does. The anchor's two values are one InitPlan, not a lookup per row.
        anchor = ServiceRequest.objects.filter(jurisdiction=jurisdiction, public_id=search["after"])
        at, pk = Subquery(anchor.values("submitted_at")), Subquery(anchor.values("id"))
        qs = qs.filter(submitted_at__lte=at).exclude(submitted_at=at, id__gte=pk)
    return qs


def page_query(jurisdiction: Jurisdiction, search: dict):
    """The one query of a page of GET requests: only the columns the records show, in the index's order."""
    size = search.get("page_size") or 1000
    offset = (search.get("page", 1) - 1) * size
    columns = dict(LIST_COLUMNS, status_notes=Subquery(_latest_public_note), media=ArraySubquery(_media_urls))
    fields = LIST_FIELDS + ("media",)
    if search.get("extensions", False):
        columns["history"] = ArraySubquery(_history)
        fields += ("public_answers", "history")
    return (
        requests_matching(jurisdiction, search)
        .order_by("-submitted_at", "-id")
        .annotate(**columns)
        .values_list(*fields)[offset : offset + size]
    )


def request_payloads(jurisdiction: Jurisdiction, search: dict, absolute: Callable[[str], str]) -> list[dict]:
    """One page of GET requests: at most 1,000 records (GeoReport v2), ``page``/``page_size`` within that."""
    extended = search.get("extensions", False)
    rows = list(page_query(jurisdiction, search))
    if not rows:
        return []
    language = get_language()
    # Only the fields a record shows: a city has dozens of types, and loading every column of each costs more than
    # the page's own query.
    types = {
        st.pk: (st, st.localized_name(language))
        for st in ServiceType.objects.filter(jurisdiction=jurisdiction).only(
            "code", "name", "name_translations", "sensitive"
        )
    }
    departments = {
        d.pk: (d.code, d.localized_name(language))
        for d in Department.objects.filter(jurisdiction=jurisdiction).only("code", "name", "name_translations")
    }
    media_root = settings.MEDIA_URL
    payloads = []
    for row in rows:
        (
            _pk,
            public_id,
            status,
            type_id,
            department_id,
            description,
            requested,
            updated,
            expected,
            address,
            address_id,
            zipcode,
            lng,
            lat,
            channel,
            status_notes,
            media,
        ) = row[:17]
        st, service_name = types[type_id]
        point = _public_xy(lng, lat, st)
        department_code, department_name = departments.get(department_id, (None, None))
        if st.sensitive:
            # The place a sensitive request is about may be a home: nothing that points at the door.
            address = address_id = zipcode = ""
            media = []
        media = [absolute(url) if url.startswith(media_root) else url for url in media]
        payload = {
            "service_request_id": public_id,
            "status": WIRE_STATUS[status],
            "status_notes": status_notes or None,
            "service_name": service_name,
            "service_code": st.code,
            "description": description or None,
            "agency_responsible": department_name,
            "service_notice": None,
            "requested_datetime": requested,
            "updated_datetime": updated,
            "expected_datetime": expected,
            "address": address or None,
            "address_id": address_id or None,
            "zipcode": zipcode or None,
            "lat": point.y if point else None,  # six decimals (~0.1 m), rounded by PostgreSQL or coarsen()
            "long": point.x if point else None,
            "media_url": media[0] if media else None,
        }
        if extended:
            # Not in GeoReport v2: the extended fields of Chicago's and CitySDK's extensions=true.
            answers, history = row[17], row[18]
            payload["extended_attributes"] = {
                "channel": channel,
                "detailed_status": FMS_STATUS[status],
                "department": department_code,
                "media_urls": media,
            }
            payload["attributes"] = [{"code": code, "value": value} for code, value in answers.items()]
            payload["notes"] = [
                {
                    "datetime": note["at"],
                    "type": "status_change",
                    "summary": str(STATUS_LABELS.get(note["status"], note["status"])),
                    "description": note["note"] or None,
                }
                for note in history
            ]
        payloads.append(payload)
    return payloads
