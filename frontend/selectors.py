"""Reads for the resident pages, one per screen; they own select_related/prefetch_related."""
from itertools import groupby

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from contacts.masking import mask_personal_identifiers
from requests_app.public_location import public_point
from requests_app.models import Jurisdiction, Photo, ServiceRequest, ServiceType, StatusChange
from requests_app.statuses import Status


def service_groups(*, jurisdiction: Jurisdiction, query: str = "") -> list[tuple[str, list[ServiceType]]]:
    """The jurisdiction's active service types as (group name, types), filtered by a search word if given."""
    types = ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).order_by("group", "name")
    query = query.strip()
    if query:
        types = types.filter(Q(name__icontains=query) | Q(name_translations__icontains=query)
                             | Q(description__icontains=query) | Q(description_translations__icontains=query)
                             | Q(group__icontains=query) | Q(group_translations__icontains=query)
                             | Q(keywords__overlap=[query.lower()]))
    grouped = groupby(types, key=lambda st: st.localized_group())
    return [(group, list(members)) for group, members in grouped]


def service_type_form(*, jurisdiction: Jurisdiction, code: str) -> ServiceType:
    """A service type with its questions, for its filing form. Raises Http404."""
    return get_object_or_404(ServiceType.objects.prefetch_related("questions"),
                             jurisdiction=jurisdiction, code=code, active=True)


def area_outlines(*, jurisdiction: Jurisdiction) -> list[dict]:
    """Simplified outlines of the jurisdiction's areas, drawn on the map where no tiles are configured."""
    from routing.models import Area

    areas = (Area.objects.filter(layer__jurisdiction=jurisdiction)
             .only("name", "name_translations", "boundary").order_by("layer_id", "name"))
    return [{"name": area.localized_name(),
             "geometry": area.boundary.simplify(0.0005, preserve_topology=True).geojson} for area in areas]


def _public_changes():
    return Prefetch("status_changes", queryset=StatusChange.objects.only(
        "service_request_id", "at", "old_status", "new_status", "public_note"))


def public_timeline(changes) -> list[dict]:
    """What a resident reads of a request's history: one entry per status reached or public note written.

    A history row that keeps the status (routing's explanation, an overdue flag) is an update, shown only when
    it says something in public; an entry that repeats the one before it (same label, same note) is dropped.
    Staff notes quote what residents wrote, so emails and phone numbers are masked.
    """
    entries: list[dict] = []
    for change in changes:
        note = mask_personal_identifiers(change.public_note)
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


def public_description(sr: ServiceRequest) -> str:
    """The resident's description as the public may read it (the map card and the exports show the same)."""
    return mask_personal_identifiers(sr.description)


def _with_public_text(sr: ServiceRequest) -> ServiceRequest:
    sr.timeline = public_timeline(sr.status_changes.all())
    sr.public_description = public_description(sr)
    sr.public_location = public_point(sr)
    return sr


def tracking_page_for(*, token: str) -> ServiceRequest:
    """The request behind a private tracking link with its timeline, department, team and photos. Raises Http404."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team")
        .prefetch_related(_public_changes(), Prefetch("photos", queryset=Photo.objects.order_by("created_at"))),
        tracking_token=token)
    return _with_public_text(sr)


def public_page_for(*, public_id: str) -> ServiceRequest:
    """The public version of a request: its masked description and timeline, no photos, nothing personal."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team")
        .prefetch_related(_public_changes()), public_id=public_id.upper())
    return _with_public_text(sr)
