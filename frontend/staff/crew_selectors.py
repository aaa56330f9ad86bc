"""Reads for crew mode: today's assigned work with what is needed on site, never the requester's contact."""

from django.db.models import Prefetch

from requests_app.models import Photo, ServiceRequest, StatusChange
from requests_app.statuses import OPEN_STATUSES
from routing.models import Department
from staffing.access import Scope

from .answers import labelled_answers

SHORTLIST_LIMIT = 100


def crew_shortlist(scope: Scope) -> list[ServiceRequest]:
    """The open requests assigned to this crew member in the departments they crew for, most urgent first
    (the device reorders them by route from where the crew stands). A fixed number of queries."""
    rows = list(
        ServiceRequest.objects.filter(
            assignee_id=scope.user_id, department_id__in=scope.crew_department_ids, status__in=OPEN_STATUSES
        )
        .select_related("service_type", "jurisdiction")
        .prefetch_related(
            "service_type__questions",
            Prefetch("photos", queryset=Photo.objects.exclude(public_image="").order_by("created_at")),
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("at", "id"), to_attr="history"),
        )
        .order_by("-priority", "expected_at", "submitted_at")[:SHORTLIST_LIMIT]
    )
    for sr in rows:
        sr.labelled_answers = labelled_answers(sr, sr.service_type.questions.all())
        # The department's own notes: the crew works for it. Contact details are never part of this.
        sr.notes = [
            (entry.at, entry.internal_note or entry.public_note)
            for entry in sr.history
            if entry.internal_note or entry.public_note
        ]
    return rows


def find_crew_request(scope: Scope, public_id: str) -> ServiceRequest | None:
    """A request a crew action names, if it is in a city the user crews in (else None: invisible)."""
    # Looked up in the crew's cities, not only its departments: a request transferred away meanwhile must
    # still be found, so that the crew hears of the conflict instead of a bare "not found".
    cities = Department.objects.filter(pk__in=scope.crew_department_ids).values("jurisdiction_id")
    return ServiceRequest.objects.filter(public_id=public_id.strip().upper(), jurisdiction_id__in=cities).first()
