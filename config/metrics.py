"""Prometheus metrics: request rates and latencies (django-prometheus) plus the 311-specific figures an
operator watches: routing lag, queue depth, SLA breaches and task failures. The 311 figures are read at
scrape time from PostgreSQL and Redis, so every web process reports the same numbers."""

import ipaddress
import os

from celery.signals import task_failure
from django.conf import settings
from django.db.models import Min
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from redis import Redis
from redis.exceptions import RedisError

from .ratelimits import client_address

TASK_FAILURES_KEY = "civic311:metrics:task_failures"


def _redis() -> Redis:
    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)


@task_failure.connect
def count_task_failure(sender=None, **kwargs):
    # Only the task's name: its arguments may be ids of people's requests, never worth exporting.
    try:
        _redis().hincrby(TASK_FAILURES_KEY, getattr(sender, "name", "unknown"), 1)
    except RedisError:
        pass


class Civic311Collector:
    def describe(self):
        # Registration asks for the names only; collecting then would query the database at import time.
        return []

    def collect(self):
        from requests_app.models import ServiceRequest

        pending = ServiceRequest.objects.waiting_for_routing()
        oldest = pending.aggregate(oldest=Min("submitted_at"))["oldest"]
        lag = GaugeMetricFamily("civic311_routing_lag_seconds", "Age of the oldest request waiting for routing")
        lag.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield lag
        depth = GaugeMetricFamily("civic311_queue_depth", "Work waiting", labels=["queue"])
        depth.add_metric(["routing_pending"], pending.count())
        try:
            depth.add_metric(["celery_broker"], _redis().llen("celery"))
            failures = _redis().hgetall(TASK_FAILURES_KEY)
        except RedisError:
            failures = {}
        yield depth
        breaches = GaugeMetricFamily("civic311_sla_breaches", "Open requests past their expected date")
        breaches.add_metric([], ServiceRequest.objects.open().filter(overdue=True).count())
        yield breaches
        failed = CounterMetricFamily("civic311_task_failures", "Celery task failures", labels=["task"])
        for name, count in failures.items():
            failed.add_metric([name.decode()], int(count))
        yield failed


_collector = Civic311Collector()
REGISTRY.register(_collector)


def _registry():
    # Several gunicorn workers each count their own requests; with PROMETHEUS_MULTIPROC_DIR set they share
    # files there and every scrape adds them up, whichever worker answers.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_collector)
    return registry


def _allowed(request) -> bool:
    # Behind a proxy REMOTE_ADDR is the proxy itself: the client is read as the rate limits read it.
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request):
    """The scrape endpoint, for the monitoring network only: it reveals load, not people, but is nobody else's."""
    if not _allowed(request):
        return HttpResponseForbidden("metrics are served to the monitoring network only")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
