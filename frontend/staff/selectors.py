"""Reads for the staff screens. Each runs a fixed number of queries whatever the queue length."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.gis.db.models.functions import GeoFunc
from django.db.models import BooleanField, F, FloatField, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

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
# Newest open work first: an imported backlog from years ago must not bury what came in this morning.
NEWEST_FIRST = [F("submitted_at").desc(), F("id").desc()]
# The queue's sortable columns; each sorts ascending by name, descending with a leading "-".
SORTS = {
    "age": "submitted_at_desc",  # ascending age = newest first
    "due": "expected_at",
    "priority": "priority",
    "status": "status",
    "area": "area_name",
    "type": "service_type__name",
}
DUE_SOON = timedelta(hours=24)


def _area_name():
    """The name of the first area (in layer order) that covers the request: the queue's "Area" column."""
    return Subquery(
        Area.objects.filter(layer__jurisdiction_id=OuterRef("jurisdiction_id"), boundary__covers=OuterRef("location"))
        .order_by("layer_id", "name")
        .values("name")[:1]
    )


def _ordered(qs, sort: str):
    key = sort.lstrip("-")
    if key not in SORTS:
        return qs.order_by(*NEWEST_FIRST)
    descending = sort.startswith("-")
    field = SORTS[key]
    if field == "submitted_at_desc":
        field, descending = "submitted_at", not descending
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return qs.order_by(expression, *NEWEST_FIRST)


@dataclass
class QueuePage:
    rows: list
    total: int
    page: int
    pages: int


def queue_page(scope: Scope, filters: QueueFilters, *, user_id: int, page: int = 1) -> QueuePage:
    """One page of the queue (three queries: count, rows, the reasons of transfers into the user's departments)."""
    qs = queue_selection(scope, filters, user_id=user_id)
    total = qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(
        _ordered(qs.annotate(area_name=_area_name()), filters.sort)
        .select_related("service_type", "department", "team", "assignee")
        .only(
            "public_id",
            "status",
            "priority",
            "overdue",
            "expected_at",
            "submitted_at",
            "updated_at",
            "address",
            "me_too_count",
            "on_hold_until",
            "jurisdiction_id",
            "service_type__name",
            "service_type__name_translations",
            "department__name",
            "department__name_translations",
            "team__name",
            "team__name_translations",
            "assignee__username",
            "duplicate_of_id",
        )[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
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
    return QueuePage(rows=rows, total=total, page=page, pages=pages)


def map_features(scope: Scope, filters: QueueFilters, *, user_id: int, limit: int = MAP_LIMIT) -> dict:
    """The queue's selection as a GeoJSON FeatureCollection (one query), most in need of action first."""
    rows = list(
        queue_selection(scope, filters, user_id=user_id)
        .filter(location__isnull=False)
        .order_by(*NEEDS_ACTION_ORDER)
        .annotate(lon=Lon("location"), lat=Lat("location"))
        .values_list("public_id", "status", "priority", "overdue", "lon", "lat")[: limit + 1]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"id": public_id, "status": status, "priority": priority, "overdue": overdue},
        }
        for public_id, status, priority, overdue, lon, lat in rows[:limit]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}


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
