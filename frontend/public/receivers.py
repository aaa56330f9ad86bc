"""The map cells follow every change of a request (connected in PublicConfig.ready). Counted once the change
commits, in a short transaction of its own: cells are shared by many requests, and a filing must not hold their
locks. A count that fails is logged and repaired by `rebuild_map_cells`, never a reason to undo the filing."""

from django.db import transaction

from .services import count_on_map


def _count_after_commit(request_ids: list[int]) -> None:
    transaction.on_commit(lambda: count_on_map(request_ids), robust=True)


def count_routed_requests(sender, service_requests, **kwargs) -> None:
    # A new request is counted once routed, in the worker, moments after filing: routing gives it the department
    # the map filters by, and the filing itself stays three statements on the resident's clock.
    _count_after_commit([sr.pk for sr in service_requests])


def count_status_change(sender, service_request, old_status, new_status, **kwargs) -> None:
    if new_status != old_status:
        _count_after_commit([service_request.pk])
