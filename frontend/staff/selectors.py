"""Reads for the staff screens. Each runs a fixed number of queries whatever the queue length."""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.gis.db.models.functions import GeoFunc
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BooleanField, F, FloatField, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.selectors import live_purposes
from requests_app.models import Photo, PhotoModeration, ServiceRequest, StatusChange
from requests_app.selectors import nearby_open_requests
from requests_app.statuses import OPEN_STATUSES, RoutingState
from routing.models import Area
from routing.selectors import decision_for_staff
from staffing.access import Scope
from staffing.models import HistoryScope

from .answers import labelled_answers

PAGE_SIZE = 50
MAP_LIMIT = 5000

# An open request with another open one of the same type within ~150 m: the bounding-box test (&&) uses the
# GiST index, the geography test makes the distance exact.
POSSIBLE_DUPLICATE_SQL = """EXISTS (
  SELECT 1 FROM requests_app_servicerequest o
  WHERE o.service_type_id = requests_app_servicerequest.service_type_id
    AND o.id <> requests_app_servicerequest.id
    AND o.status IN ('submitted', 'acknowledged', 'in_progress', 'on_hold', 'reopened')
    AND o.location && ST_Expand(requests_app_servicerequest.location, 0.002)
    AND ST_DWithin(o.location::geography, requests_app_servicerequest.location::geography, 150))"""


class Lon(GeoFunc):
    function = "ST_X"
    output_field = FloatField()


class Lat(GeoFunc):
    function = "ST_Y"
    output_field = FloatField()


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, already checked (see forms.QueueFilterForm)."""

    statuses: tuple[str, ...] = ()
    service_type_id: int | None = None
    area_id: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    overdue: bool = False
    possible_duplicates: bool = False
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str = ""
    department_id: int | None = None
    team_id: int | None = None
    triage: bool = False
    sort: str = ""  # one of SORTS, "-" first for the other way; "" is newest first
    bbox: tuple[float, float, float, float] | None = None  # the map's view: west, south, east, north


def requests_in_scope(scope: Scope):
    """Every request the user may see in a queue: those of their departments and of the cities they operate."""
    return ServiceRequest.objects.filter(
        Q(department_id__in=scope.department_ids) | Q(jurisdiction_id__in=scope.operator_jurisdiction_ids)
    )


def queue_selection(scope: Scope, filters: QueueFilters, *, user_id: int):
    """The filtered open requests of the user's queue, most in need of action first."""
    qs = requests_in_scope(scope)
    qs = qs.filter(status__in=filters.statuses) if filters.statuses else qs.filter(status__in=OPEN_STATUSES)
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.service_type_id:
        qs = qs.filter(service_type_id=filters.service_type_id)
    if filters.area_id:
        qs = qs.filter(location__coveredby=Area.objects.filter(pk=filters.area_id).values("boundary")[:1])
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user_id)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.overdue:
        qs = qs.filter(overdue=True)
    if filters.triage:
        qs = qs.filter(routing_state=RoutingState.TRIAGE)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(submitted_at__date__lte=filters.submitted_to)
    for word in filters.q.split()[:8]:
        # Every word must appear somewhere: in the id (any part of it), the address or the description.
        qs = qs.filter(
            Q(public_id__contains=word.upper()) | Q(address__icontains=word) | Q(description__icontains=word)
        )
    if filters.bbox:
        # && on the open requests' GiST index: the map reads the points in view, not the whole selection.
        box = Polygon.from_bbox(filters.bbox)
        box.srid = 4326
        qs = qs.filter(location__bboverlaps=box)
    if filters.possible_duplicates:
        qs = qs.filter(RawSQL(POSSIBLE_DUPLICATE_SQL, [], output_field=BooleanField()))
    return qs


NEEDS_ACTION_ORDER = [
    F("overdue").desc(),
    F("expected_at").asc(nulls_last=True),
    F("priority").desc(),
    F("submitted_at").asc(),
    F("id").asc(),
]
# The queue's sortable columns: (field, nullable); each sorts ascending by name, descending with a leading "-".
SORTS = {
    "age": ("submitted_at", False),  # ascending age = newest first, so the field sorts the other way
    "due": ("expected_at", True),
    "priority": ("priority", False),
    "status": ("status", False),
    "area": ("area_name", True),
    "type": ("service_type__name", False),
}
# Newest open work first: an imported backlog from years ago must not bury what came in this morning. Also the
# tie-break of every other sort, so that (sort key, submitted_at, id) orders the rows totally and a page can
# start after the last row of the one before (keyset pagination: cost follows the page, not the depth).
NEWEST_FIRST = [("submitted_at", True, False), ("id", True, False)]
# Counting a department's whole backlog costs more than its page; past this many the page says "more than".
COUNT_CAP = 1000
DUE_SOON = timedelta(hours=24)


def _area_name():
    """The name of the first area (in layer order) that covers the request: the queue's "Area" column."""
    return Subquery(
        Area.objects.filter(layer__jurisdiction_id=OuterRef("jurisdiction_id"), boundary__covers=OuterRef("location"))
        .order_by("layer_id", "name")
        .values("name")[:1]
    )


def sort_keys(sort: str) -> list[tuple[str, bool, bool]]:
    """The queue's order for ``sort`` as (field, descending, nullable) keys, nulls last, ending with the id."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return list(NEWEST_FIRST)
    field, nullable = SORTS[key]
    descending = sort.startswith("-") != (key == "age")
    return [(field, descending, nullable), *NEWEST_FIRST]


def _order_by(keys, *, forward: bool) -> list:
    """ORDER BY for the keys; backwards (to read the page before a cursor) every direction and nulls flip."""
    # A column without nulls is sorted plainly (DESC is NULLS FIRST to PostgreSQL), so the indexes match.
    nulls = {"nulls_last": True} if forward else {"nulls_first": True}
    return [
        F(field).desc(**nulls if nullable else {})
        if descending == forward
        else F(field).asc(**nulls if nullable else {})
        for field, descending, nullable in keys
    ]


def _past(field, descending, nullable, value, forward) -> Q:
    """Rows strictly beyond ``value`` in this key, walking forward (nulls last) or backward (nulls first)."""
    if value is None:
        return Q(pk__in=[]) if forward else Q(**{f"{field}__isnull": False})
    beyond = Q(**{f"{field}__{'lt' if descending == forward else 'gt'}": value})
    return beyond | Q(**{f"{field}__isnull": True}) if forward and nullable else beyond


def _keyset(keys, values, *, forward: bool) -> Q:
    """The rows after (forward) or before the row whose keys are ``values``, in the keys' order:
    (k1 past v1) or (k1 = v1 and k2 past v2) or ...; plus a plain bound on the first key the index can seek to."""
    condition, equal = Q(pk__in=[]), Q()
    for (field, descending, nullable), value in zip(keys, values, strict=True):
        condition |= equal & _past(field, descending, nullable, value, forward)
        equal &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
    field, descending, nullable = keys[0]
    if values[0] is None and forward:
        return condition & Q(**{f"{field}__isnull": True})
    if values[0] is not None and not (forward and nullable):
        return condition & Q(**{f"{field}__{'lte' if descending == forward else 'gte'}": values[0]})
    return condition


def _row_value(row, field):
    value = row
    for part in field.split("__"):
        value = getattr(value, "pk" if part == "id" else part)
    return value


def encode_cursor(values: list) -> str:
    """The URL-safe cursor of a row's sort key values."""
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor(row, keys) -> str:
    return encode_cursor([_row_value(row, field) for field, _d, _n in keys])


def _parse_cursor(cursor: str, keys) -> list | None:
    """The key values a cursor holds, or None if it isn't one of this sort's (an old or hand-edited link)."""
    try:
        values = json.loads(urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    parsed = []
    for (field, _descending, nullable), value in zip(keys, values, strict=True):
        if value is None and nullable:
            parsed.append(None)
        elif field in ("submitted_at", "expected_at") and isinstance(value, str) and parse_datetime(value):
            parsed.append(parse_datetime(value))
        elif field in ("id", "priority") and isinstance(value, int) and not isinstance(value, bool):
            parsed.append(value)
        elif field in ("status", "area_name", "service_type__name") and isinstance(value, str):
            parsed.append(value)
        else:
            return None
    return parsed


@dataclass
class QueuePage:
    rows: list
    total: int
    capped: bool  # more than COUNT_CAP rows: ``total`` is the cap, shown as "more than"
    page: int
    pages: int  # 0 when capped: the page can't say how many
    previous: str  # cursor of the page before ("" on the first page)
    next: str  # cursor of the page after ("" on the last page)


def queue_page(
    scope: Scope,
    filters: QueueFilters,
    *,
    user_id: int,
    page: int = 1,
    after: str = "",
    before: str = "",
    page_size: int | None = None,
) -> QueuePage:
    """One page of the queue, after or before a cursor (three queries: a count up to COUNT_CAP, the page's rows,
    the reasons of transfers into the user's departments). The database reads the page, never the backlog."""
    page_size = page_size or PAGE_SIZE
    qs = queue_selection(scope, filters, user_id=user_id)
    total = qs.order_by()[: COUNT_CAP + 1].count()
    capped = total > COUNT_CAP
    keys = sort_keys(filters.sort)
    values = _parse_cursor(after or before, keys) if (after or before) else None
    forward = not (values is not None and not after)
    # The area is looked up only for the rows read (PostgreSQL computes it after the LIMIT unless it sorts).
    rows_qs = qs.annotate(area_name=_area_name())
    if values is not None:
        rows_qs = rows_qs.filter(_keyset(keys, values, forward=forward))
    rows = list(
        rows_qs.order_by(*_order_by(keys, forward=forward))
        .select_related("service_type", "assignee")
        .only(  # the columns the page shows, no more
            "public_id",
            "status",
            "priority",
            "overdue",
            "expected_at",
            "submitted_at",
            "address",
            "me_too_count",
            "on_hold_until",
            "service_type__name",
            "service_type__name_translations",
            "assignee__username",
        )[: page_size + 1]
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    if values is None:
        page, has_previous, has_next = 1, False, more
    elif forward:
        page, has_previous, has_next = max(2, page), True, more
    else:
        rows.reverse()
        page, has_previous, has_next = (max(2, page) if more else 1), more, True
    reasons = {}
    for sr_id, note in (
        HistoryScope.objects.filter(
            kind=HistoryScope.Kind.TRANSFER,
            status_change__service_request_id__in=[r.pk for r in rows],
            to_department_id__in=scope.visible_department_ids,
        )
        .order_by("status_change__service_request_id", "-status_change_id")
        .values_list("status_change__service_request_id", "status_change__internal_note")
    ):
        reasons.setdefault(sr_id, note)
    now = timezone.now()
    for row in rows:
        row.transfer_reason = reasons.get(row.pk, "")
        # The escalation sweep sets "overdue" every few minutes; a due time just passed counts already.
        row.past_due = row.overdue or (row.expected_at is not None and row.expected_at <= now)
        row.due_soon = not row.past_due and row.expected_at is not None and row.expected_at <= now + DUE_SOON
    return QueuePage(
        rows=rows,
        total=min(total, COUNT_CAP),
        capped=capped,
        page=page,
        pages=0 if capped else max(1, -(-total // page_size)),
        previous=_cursor(rows[0], keys) if rows and has_previous else "",
        next=_cursor(rows[-1], keys) if rows and has_next else "",
    )


# The map's features written by PostgreSQL straight into compact GeoJSON text: no Python object per point.
MAP_SQL = """
SELECT count(*),
       coalesce(string_agg(format(
         '{"type":"Feature","geometry":{"type":"Point","coordinates":[%%s,%%s]},'
         '"properties":{"id":%%s,"status":%%s,"priority":%%s,"overdue":%%s}}',
         round(m.lon::numeric, 6)::float8, round(m.lat::numeric, 6)::float8, to_json(m.public_id),
         to_json(m.status), m.priority, to_json(m.overdue)), ',' ORDER BY m.n) FILTER (WHERE m.n <= %s), '')
FROM (SELECT row_number() OVER () AS n, s.* FROM ({selection}) s) m"""


def map_features(scope: Scope, filters: QueueFilters, *, user_id: int, limit: int | None = None) -> str:
    """The queue's selection (within the map's box if given) as the text of a GeoJSON FeatureCollection, most
    in need of action first, at most ``limit`` points; one query."""
    limit = limit or MAP_LIMIT
    selection = (
        queue_selection(scope, filters, user_id=user_id)
        .filter(location__isnull=False)
        .order_by(*NEEDS_ACTION_ORDER)
        .annotate(lon=Lon("location"), lat=Lat("location"))
        .values_list("public_id", "status", "priority", "overdue", "lon", "lat")[: limit + 1]
    )
    sql, params = selection.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(MAP_SQL.replace("{selection}", sql), [limit, *params])
        found, features = cursor.fetchone()
    truncated = "true" if found > limit else "false"
    return f'{{"type":"FeatureCollection","features":[{features}],"truncated":{truncated}}}'


def changed_since(scope: Scope, since, *, limit: int = 50) -> list[dict]:
    """Requests of the user's departments created or changed after ``since``, newest first (one query)."""
    rows = (
        requests_in_scope(scope)
        .filter(updated_at__gt=since)
        .order_by("-updated_at")
        .values("public_id", "status", "updated_at", "address", "service_type__name")[:limit]
    )
    return list(rows)


@dataclass
class StaffPhoto:
    photo: Photo
    src: str  # the original for the handling department, else the public copy (or nothing yet)
    is_original: bool
    moderation: list


def photos_for_staff(scope: Scope, sr: ServiceRequest) -> list[StaffPhoto]:
    """A request's photos as this user may see them: originals only for those who work on the request."""
    works_on = scope.works_on(sr)
    steps: dict[int, list] = {}
    for step in PhotoModeration.objects.filter(photo__service_request=sr).select_related("actor"):
        steps.setdefault(step.photo_id, []).append(step)
    items = []
    for photo in Photo.objects.filter(service_request=sr).order_by("created_at", "id"):
        if photo.original and works_on:
            src, is_original = reverse("staff:photo_original", args=[photo.pk]), True
        elif photo.public_image and photo.state == Photo.State.PUBLIC:
            src, is_original = photo.public_image.url, False
        else:
            src, is_original = photo.external_url, False
        items.append(StaffPhoto(photo=photo, src=src, is_original=is_original, moderation=steps.get(photo.pk, [])))
    return items


@dataclass
class RequestPage:
    sr: ServiceRequest
    history: list
    nearby: list
    photos: list
    answers: list
    public_answers: list
    works_on: bool
    leads: bool
    routing: dict
    consented: frozenset[str]


def request_page(scope: Scope, sr: ServiceRequest) -> RequestPage:
    """A request with its history (internal notes only where the user's departments may read them), how it was
    routed, and which purposes its requester consented to (the purposes only: the contact is read on demand)."""
    history = []
    entries = StatusChange.objects.filter(service_request=sr).select_related("actor", "scope").order_by("at", "id")
    for entry in entries:
        meta = getattr(entry, "scope", None)
        if meta is not None:
            visible = scope.sees_internal(meta.department_id, meta.to_department_id)
        else:
            visible = scope.sees_internal(sr.department_id)
        history.append(
            {
                "entry": entry,
                "kind": meta.get_kind_display() if meta else "",
                "internal_note": entry.internal_note if visible else "",
            }
        )
    nearby = []
    if sr.location is not None and sr.is_open:
        nearby = list(nearby_open_requests(service_type=sr.service_type, point=sr.location, exclude_id=sr.pk))
    questions = list(sr.service_type.questions.all())
    answers = labelled_answers(sr, questions)
    public_answers = labelled_answers(sr, questions, answers=sr.public_answers)
    return RequestPage(
        sr=sr,
        history=history,
        nearby=nearby,
        photos=photos_for_staff(scope, sr),
        answers=answers,
        public_answers=public_answers,
        works_on=scope.works_on(sr),
        leads=scope.leads(sr),
        routing=decision_for_staff(sr),
        consented=live_purposes(sr.pk),
    )


def request_for(scope: Scope, public_id: str):
    """The request by public id if it is in one of the user's jurisdictions (else None: it stays invisible)."""
    return (
        ServiceRequest.objects.filter(public_id=public_id.upper(), jurisdiction_id__in=scope.jurisdiction_ids)
        .select_related("service_type", "department", "team", "assignee", "jurisdiction", "duplicate_of")
        .first()
    )
