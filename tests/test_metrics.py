from datetime import timedelta

import pytest
from django.utils import timezone
from redis import Redis

from config.metrics import TASK_FAILURES_KEY, count_task_failure
from requests_app.statuses import RoutingState
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def _value(body: str, name: str) -> float:
    line = next(line for line in body.splitlines() if line.startswith(name))
    return float(line.rsplit(" ", 1)[1])


def test_metrics_report_routing_lag_queue_depth_and_sla_breaches(client, pothole):
    ServiceRequestFactory(service_type=pothole, routing_state=RoutingState.PENDING,
                          submitted_at=timezone.now() - timedelta(minutes=5))
    ServiceRequestFactory(service_type=pothole, routing_state=RoutingState.ROUTED, overdue=True)
    body = client.get("/metrics").content.decode()
    assert 290 < _value(body, "civic311_routing_lag_seconds") < 400
    assert _value(body, 'civic311_queue_depth{queue="routing_pending"}') == 1
    assert _value(body, "civic311_sla_breaches") == 1
    assert "django_http_requests_total_by_method_total" in body


def test_task_failures_are_counted_by_task_name_only(client, settings):
    Redis.from_url(settings.REDIS_URL).delete(TASK_FAILURES_KEY)
    count_task_failure(sender=type("Task", (), {"name": "routing.tasks.route_request_task"})())
    body = client.get("/metrics").content.decode()
    assert _value(body, 'civic311_task_failures_total{task="routing.tasks.route_request_task"}') == 1


def test_metrics_are_not_served_outside_the_monitoring_network(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
