"""Two nearby requests routed at the same moment, by two workers: each links the other as a possible duplicate
while the other's routing holds its row. Neither waits for the other (no deadlock), so neither is left waiting
for routing, as a storm of reports from one street would leave them."""

import threading

import pytest
from django.db import connection

from requests_app.models import ServiceRequest
from requests_app.statuses import RoutingState
from routing import router
from routing.models import PossibleDuplicate
from tests.factories import ServiceRequestFactory

from .conftest import HERE

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_nearby_requests_routed_at_once_are_both_routed_and_linked_to_each_other(
    pothole, department, team, downtown, routing_settings, make_rule_set, monkeypatch
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    first, second = (ServiceRequestFactory(service_type=pothole, location=HERE) for _ in range(2))
    both_locked = threading.Barrier(2, timeout=30)
    find_duplicates = router.link_possible_duplicates

    def once_both_hold_their_request(srs, ctx):
        # Each routing transaction holds its own request's row here; now each links the other's.
        both_locked.wait()
        return find_duplicates(srs, ctx)

    monkeypatch.setattr(router, "link_possible_duplicates", once_both_hold_their_request)
    failures = []

    def route(pk):
        try:
            router.route_request(pk)
        except Exception as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=route, args=(sr.pk,)) for sr in (first, second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert failures == []
    assert set(ServiceRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list("routing_state", flat=True)) == {
        RoutingState.ROUTED
    }
    assert set(PossibleDuplicate.objects.values_list("service_request_id", "candidate_id")) == {
        (first.pk, second.pk),
        (second.pk, first.pk),
    }
