"""Filing then routing through a real Celery worker on the real Redis broker."""

import time

import pytest

from config.celery import app
from requests_app.models import ServiceRequest
from requests_app.services import Submission, submit_request
from requests_app.statuses import RoutingState
from routing.models import RoutingDecision
from routing.tasks import route_request_task, route_waiting_requests_task
from tests.celery_worker import running_worker

from .conftest import HERE

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_routed(pk, seconds=15) -> ServiceRequest:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sr = ServiceRequest.objects.get(pk=pk)
        if sr.routing_state != RoutingState.PENDING:
            return sr
        time.sleep(0.1)
    raise AssertionError(f"request {pk} was not routed within {seconds}s")


@pytest.fixture
def rules(pothole, department, team, downtown, make_rule_set):
    return make_rule_set({"service_type": pothole, "department": department, "team": team})


@pytest.fixture
def broker_down(monkeypatch):
    """Point publishing at a port where nothing listens, as when Redis is down."""
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


def test_a_filed_request_is_routed_by_the_worker_after_commit(rules, pothole, team):
    with running_worker():
        sr = submit_request(Submission(service_type=pothole, location=HERE, description="Deep hole"))
        routed = wait_until_routed(sr.pk)
    assert (routed.routing_state, routed.team) == (RoutingState.ROUTED, team)


def test_a_task_delivered_twice_routes_once(rules, pothole):
    with running_worker():
        sr = submit_request(Submission(service_type=pothole, location=HERE))
        route_request_task.delay(sr.pk)
        route_request_task.delay(sr.pk)
        wait_until_routed(sr.pk)
        time.sleep(1)  # let the extra deliveries run
    assert RoutingDecision.objects.filter(service_request=sr).count() == 1


def test_with_redis_down_filing_succeeds_and_the_sweep_routes_it_later(rules, pothole, team, broker_down, settings):
    sr = submit_request(Submission(service_type=pothole, location=HERE))
    assert ServiceRequest.objects.get(pk=sr.pk).routing_state == RoutingState.PENDING
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app._pool = None
    app.amqp._producer_pool = None
    with running_worker():
        route_waiting_requests_task.delay()
        routed = wait_until_routed(sr.pk)
    assert routed.team == team
