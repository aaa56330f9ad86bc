"""Reads for the resident pages, one per screen; they own select_related/prefetch_related."""
from itertools import groupby

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from requests_app.models import Jurisdiction, Photo, ServiceRequest, ServiceType, StatusChange


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


def _with_masked_notes(sr: ServiceRequest) -> ServiceRequest:
    # Public notes were masked when written (requests_app.public_text); the timeline shows them as stored.
    sr.timeline = [(change, change.public_note) for change in sr.status_changes.all()]
    return sr


def tracking_page_for(*, token: str) -> ServiceRequest:
    """The request behind a private tracking link with its timeline, department, team and photos (their blurred
    public copies only: a tracking link gets forwarded). Raises Http404."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team")
        .prefetch_related(_public_changes(), Prefetch("photos", queryset=Photo.objects.public().exclude(public_image="")
                                                       .exclude(source=Photo.Source.CREW).order_by("created_at"))),
        tracking_token=token)
    return _with_masked_notes(sr)


def public_page_for(*, public_id: str) -> ServiceRequest:
    """The public version of a request, without its description, photos or anything a resident wrote."""
    sr = get_object_or_404(
        ServiceRequest.objects.select_related("jurisdiction", "service_type", "department", "team")
        .prefetch_related(_public_changes()), public_id=public_id.upper())
    return _with_masked_notes(sr)
