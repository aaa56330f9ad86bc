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
    ServiceRequestFactory(
        service_type=pothole, routing_state=RoutingState.PENDING, submitted_at=timezone.now() - timedelta(minutes=5)
    )
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


def test_a_client_sent_forwarded_for_header_opens_nothing_without_a_configured_proxy(client, settings):
    # A stranger claims to be the machine itself: ignored, since no proxy is configured.
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403


def test_behind_a_configured_proxy_the_client_it_names_is_checked_not_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    # Everyone comes through the proxy: its own address opens nothing.
    assert client.get("/metrics", **proxy).status_code == 403
    # The entry the proxy added is the client; what the client wrote before it is not believed.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.10", **proxy).status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="192.0.2.10, 203.0.113.9", **proxy).status_code == 403
