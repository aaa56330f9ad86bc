"""Possible duplicates: open requests of the same type nearby, linked for staff when a request is routed."""

from requests_app.models import ServiceRequest
from requests_app.selectors import NearbyProbe, nearby_open_requests_for_many

from .config import Context
from .models import PossibleDuplicate


def link_possible_duplicates(srs: list[ServiceRequest], ctx: Context) -> dict[int, list[str]]:
    """Open requests of the same type nearby for each request, in one round trip, linked for staff."""
    located = [sr for sr in srs if sr.location is not None]
    if not located:
        return {}
    routing_settings, windows = ctx.routing_settings, ctx.duplicate_windows
    probes = []
    for sr in located:
        window = windows.get(sr.service_type_id)
        probes.append(
            NearbyProbe(
                key=sr.pk,
                service_type_id=sr.service_type_id,
                point=sr.location,
                exclude_id=sr.pk,
                metres=window.metres if window else routing_settings.duplicate_metres,
                days=window.days if window else routing_settings.duplicate_days,
            )
        )
    found = nearby_open_requests_for_many(probes)
    PossibleDuplicate.objects.bulk_create(
        [
            PossibleDuplicate(service_request_id=sr_id, candidate_id=pk, metres=metres)
            for sr_id, rows in found.items()
            for pk, _public_id, metres in rows
        ],
        ignore_conflicts=True,
    )
    return {sr_id: [public_id for _pk, public_id, _metres in rows] for sr_id, rows in found.items()}
