"""The routing sweep: requests still waiting after a while (a lost task, Redis down at filing), in batches."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from requests_app.models import ServiceRequest

from .router import route_locked, route_request

logger = logging.getLogger(__name__)


def route_waiting_requests(*, older_than_seconds: int, limit: int = 5000, batch: int = 500) -> int:
    """Route requests still waiting after a while (a lost task, Redis down at filing); returns how many.

    Batches are locked with SKIP LOCKED, so several sweepers and the per-request tasks never route one twice.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    done = 0
    while done < limit:
        srs: list[ServiceRequest] = []
        try:
            with transaction.atomic():
                srs = list(
                    ServiceRequest.objects.waiting_for_routing()
                    .filter(submitted_at__lte=cutoff)
                    .select_for_update(skip_locked=True, no_key=True, of=("self",))  # _locked_for_routing
                    .select_related("service_type", "jurisdiction")
                    .order_by("submitted_at", "pk")[: min(batch, limit - done)]
                )
                if srs:
                    route_locked(srs)
        except Exception:  # one bad request must not stop the sweep: route this batch one by one instead
            logger.exception("routing a batch failed; routing its requests one by one")
            srs = _route_one_by_one([sr.pk for sr in srs])
        if not srs:
            break
        done += len(srs)
    return done


def _route_one_by_one(ids: list[int]) -> list[int]:
    for pk in ids:
        try:
            route_request(pk)
        except Exception:  # it stays pending and is logged; the next sweep tries again
            logger.exception("routing request %s failed", pk)
    return ids
