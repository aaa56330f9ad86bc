"""Reads for the Open311 endpoints, each returning the wire payload as plain dicts and lists.

Every public output goes through ``public_point`` (sensitive types are coarsened) and reads the public text
stored when it was written (``public_description``, ``public_answers``, masked public notes); a sensitive
type publishes no address, address id, postal code or photo.
"""
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Case, CharField, F, FloatField, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, Photo, Question, ServiceRequest, ServiceType, StatusChange
from requests_app.public_location import public_point
from requests_app.statuses import CLOSED_STATUSES, OPEN_STATUSES, RoutingState, Status
from routing.models import Department

from .errors import bad_request, forbidden, not_found
from .mapping import FMS_STATUS, SERVICE_TYPE, WIRE_STATUS, W3CText, w3c
from .models import ApiKey, BatchToken, key_digest
from .serializers import MAX_WINDOW_DAYS


def jurisdiction_for(jurisdiction_id: str | None) -> Jurisdiction:
    """The jurisdiction a call is about: optional while the server has one or names a default
    (CIVIC311_DEFAULT_JURISDICTION), required otherwise.

    Raises Open311Error 404 (unknown) or 400 (missing while several exist and none is the default).
    """
    # GeoReport v2 lets a server take a default jurisdiction; many validators and apps never send one.
    jurisdiction_id = jurisdiction_id or settings.CIVIC311_DEFAULT_JURISDICTION
    if jurisdiction_id:
        found = Jurisdiction.objects.filter(slug=jurisdiction_id).first()
        if found is None:
            raise not_found(_("Unknown jurisdiction_id %(id)s.") % {"id": jurisdiction_id})
        return found
    only = list(Jurisdiction.objects.order_by("pk")[:2])
    if len(only) == 1:
        return only[0]
    if not only:
        raise not_found(_("This server has no jurisdiction yet."))
    raise bad_request(_("jurisdiction_id required: this server serves several jurisdictions."))


def key_for(raw_key: str | None, jurisdiction: Jurisdiction) -> ApiKey:
    """The active key given, if it belongs to this jurisdiction. Raises Open311Error 403 otherwise."""
    if not raw_key:
        raise forbidden(_("api_key required."))
    key = (ApiKey.objects.active().select_related("jurisdiction")
           .filter(digest=key_digest(raw_key), jurisdiction=jurisdiction).first())
    if key is None:
        raise forbidden(_("Invalid api_key."))
    return key


def writer_for(jurisdiction_id: str | None, raw_key: str | None) -> ApiKey:
    """The key of a write call, with its jurisdiction loaded: one query when both are given and agree.

    Raises Open311Error like ``jurisdiction_for`` and ``key_for``.
    """
    if jurisdiction_id and raw_key:
        key = (ApiKey.objects.active().select_related("jurisdiction")
               .filter(digest=key_digest(raw_key), jurisdiction__slug=jurisdiction_id).first())
        if key is not None:
            return key
    return key_for(raw_key, jurisdiction_for(jurisdiction_id))


def service_type_for(jurisdiction: Jurisdiction, service_code: str) -> ServiceType:
    """Raises Open311Error 404 for a code this jurisdiction doesn't have."""
    found = ServiceType.objects.filter(jurisdiction=jurisdiction, code=service_code).first()
    if found is None:
        raise not_found(_("Unknown service_code %(code)s.") % {"code": service_code})
    return found


def service_list(jurisdiction: Jurisdiction) -> list[dict]:
    with_questions = set(Question.objects.filter(service_type__jurisdiction=jurisdiction)
                         .values_list("service_type_id", flat=True).distinct())
    return [{
        "service_code": st.code,
        "service_name": st.localized_name(),
        "description": st.localized_description() or None,
        "metadata": st.pk in with_questions,
        "type": SERVICE_TYPE[st.delivery],
        "keywords": ",".join(st.keywords) or None,
        "group": st.localized_group() or None,
        # Not in GeoReport v2: FixMyStreet reads several groups from <groups><group/></groups>.
        "groups": [st.localized_group()] if st.group else [],
    } for st in ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).order_by("group", "name")]


def service_definition(service_type: ServiceType) -> dict:
    attributes = []
    for question in service_type.questions.order_by("order"):
        attribute = {
            "variable": question.variable,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.datatype_description or None,
            "order": question.order,
            "description": question.localized_description(),
        }
        if question.datatype in Question.LIST_TYPES:
            attribute["values"] = [{"key": str(v["key"]),
                                    "name": _value_name(v)} for v in question.values]
        attributes.append(attribute)
    return {"service_code": service_type.code, "attributes": attributes}


def _value_name(value: dict) -> str:
    return (value.get("name_translations") or {}).get(get_language() or "", "") or str(value.get("name", ""))


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
_latest_public_note = (StatusChange.objects.filter(service_request=OuterRef("pk")).exclude(public_note="")
                       .order_by("-at", "-id").values("public_note")[:1])
# Uploaded photos as their blurred public copy's path under MEDIA_URL (made absolute per request), linked ones
# as their URL. Never the original, never a crew's working photo, never a photo still waiting for its copy, never a sensitive type's.
_media_urls = (Photo.objects.public().filter(service_request=OuterRef("pk")).exclude(source=Photo.Source.CREW)
               .order_by("created_at", "id")
               .annotate(url=Case(When(public_image="", then=F("external_url")),
                                  default=Concat(Value(settings.MEDIA_URL), F("public_image")),
                                  output_field=CharField()))
               .values("url"))
_history = (StatusChange.objects.filter(service_request=OuterRef("pk")).order_by("at", "id")
            .annotate(entry=JSONObject(at=W3CText("at"), status="new_status", note="public_note")).values("entry"))
STATUS_LABELS = dict(Status.choices)

LIST_FIELDS = ("id", "public_id", "status", "service_type_id", "department_id", "public_description", "requested",
               "updated", "expected", "address", "address_id", "zipcode", "lng", "lat", "channel", "status_notes")


def requests_matching(jurisdiction: Jurisdiction, search: dict):
    """The requests a GET requests call asks for, newest first (before paging)."""
    qs = ServiceRequest.objects.filter(jurisdiction=jurisdiction)
    if search.get("service_request_id"):
        # Overrides every other filter (GeoReport v2).
        return qs.filter(public_id__in=search["service_request_id"])
    if search.get("service_code"):
        qs = qs.filter(service_type__jurisdiction=jurisdiction, service_type__code__in=search["service_code"])
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
    return qs


def request_payloads(jurisdiction: Jurisdiction, search: dict, absolute: Callable[[str], str]) -> list[dict]:
    """One page of GET requests: at most 1,000 records (GeoReport v2), ``page``/``page_size`` within that."""
    size = search.get("page_size") or 1000
    offset = (search.get("page", 1) - 1) * size
    extended = search.get("extensions", False)
    columns = dict(LIST_COLUMNS, status_notes=Subquery(_latest_public_note), media=ArraySubquery(_media_urls))
    fields = LIST_FIELDS + ("media",)
    if extended:
        columns["history"] = ArraySubquery(_history)
        fields += ("public_answers", "history")
    rows = list(requests_matching(jurisdiction, search).order_by("-submitted_at", "-id")
                .annotate(**columns).values_list(*fields)[offset:offset + size])
    if not rows:
        return []
    language = get_language()
    types = {st.pk: (st, st.localized_name(language)) for st in ServiceType.objects.filter(jurisdiction=jurisdiction)}
    departments = {d.pk: (d.code, d.localized_name(language))
                   for d in Department.objects.filter(jurisdiction=jurisdiction)}
    media_root = settings.MEDIA_URL
    payloads = []
    for row in rows:
        (_pk, public_id, status, type_id, department_id, description, requested, updated, expected, address,
         address_id, zipcode, lng, lat, channel, status_notes, media) = row[:17]
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
            payload["notes"] = [{
                "datetime": note["at"],
                "type": "status_change",
                "summary": str(STATUS_LABELS.get(note["status"], note["status"])),
                "description": note["note"] or None,
            } for note in history]
        payloads.append(payload)
    return payloads


def token_payload(jurisdiction: Jurisdiction, token: str) -> list[dict]:
    """Raises Open311Error 404 for an unknown token."""
    found = (BatchToken.objects.filter(token=token, service_request__jurisdiction=jurisdiction)
             .values_list("service_request__public_id", "service_request__routing_state").first())
    if found is None:
        raise not_found(_("Unknown token %(token)s.") % {"token": token})
    public_id, routing_state = found
    if routing_state == RoutingState.PENDING:
        return [{"token": token}]
    return [{"service_request_id": public_id, "token": token}]


def update_payloads(jurisdiction: Jurisdiction, search: dict) -> list[dict]:
    """FixMyStreet's GET servicerequestupdates: status changes in the window, oldest first, at most 1,000."""
    end = search.get("end_date") or timezone.now()
    start = search.get("start_date") or end - timedelta(days=MAX_WINDOW_DAYS)
    rows = (StatusChange.objects.filter(service_request__jurisdiction=jurisdiction, at__gte=start, at__lte=end)
            .filter(~Q(old_status="")).order_by("at", "id")
            .values_list("id", "service_request__public_id", "new_status", "at", "public_note")[:1000])
    return [{
        "update_id": str(pk),
        "service_request_id": public_id,
        "status": FMS_STATUS[new_status],
        "updated_datetime": w3c(at),
        "description": note,
        "media_url": None,
    } for pk, public_id, new_status, at, note in rows]
