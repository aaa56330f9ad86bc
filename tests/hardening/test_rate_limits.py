"""Limits on public writes, failed tracking-link lookups and staff sign-in: 429 with Retry-After in the caller's
format, counted per client address in Redis."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from requests_app.models import ServiceRequest
from tests.factories import ServiceRequestFactory

PASSWORD = "correct horse battery staple"
HOME = {"REMOTE_ADDR": "198.51.100.7"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def filing(pothole):
    return {"address": "1 Market St", "description": "A hole", "lat": "37.78", "lon": "-122.41"}


def test_filings_beyond_the_limit_get_429_with_retry_after_and_file_nothing(client, pothole, settings):
    settings.RATE_LIMIT_FILINGS = "2/3600"
    url = reverse("frontend:report", args=["sf.example", "pothole"])
    statuses = [client.post(url, filing(pothole), HTTP_ACCEPT="application/json", **HOME).status_code for _ in range(2)]
    refused = client.post(url, filing(pothole), HTTP_ACCEPT="application/json", **HOME)
    assert statuses == [201, 201]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many requests" in refused.json()["errors"]["__all__"][0]
    assert ServiceRequest.objects.count() == 2
    page = client.post(url, filing(pothole), **HOME)
    assert page.status_code == 429 and "<main" in page.content.decode() and page["Retry-After"]
    assert client.post(url, filing(pothole), HTTP_ACCEPT="application/json", **ELSEWHERE).status_code == 201


def test_me_too_beyond_the_limit_gets_429(client, pothole, settings):
    settings.RATE_LIMIT_ME_TOO = "1/60"
    first, second = ServiceRequestFactory(service_type=pothole), ServiceRequestFactory(service_type=pothole)
    assert (
        client.post(
            reverse("frontend:me_too", args=[first.public_id]), HTTP_ACCEPT="application/json", **HOME
        ).status_code
        == 200
    )
    refused = client.post(reverse("frontend:me_too", args=[second.public_id]), HTTP_ACCEPT="application/json", **HOME)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    second.refresh_from_db()
    assert second.me_too_count == 0


def test_guessing_tracking_tokens_stops_after_a_few_misses_from_one_address(client, pothole, settings):
    settings.RATE_LIMIT_TRACKING_MISSES = "3/3600"
    sr = ServiceRequestFactory(service_type=pothole)
    real = reverse("frontend:track", args=[sr.tracking_token])
    assert client.get(real, **HOME).status_code == 200  # a found link never counts
    misses = [client.get(reverse("frontend:track", args=[f"guess{i}"]), **HOME).status_code for i in range(3)]
    assert misses == [404, 404, 404]
    blocked = client.get(reverse("frontend:track", args=["guess4"]), **HOME)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    # While blocked even a real token is not looked up, so a hit can't be told from a miss.
    assert client.get(real, **HOME).status_code == 429
    assert client.get(reverse("frontend:filed", args=["guess5"]), **HOME).status_code == 429
    assert client.get(real, **ELSEWHERE).status_code == 200


def test_the_data_page_shares_the_tracking_miss_limit(client, pothole, settings):
    settings.RATE_LIMIT_TRACKING_MISSES = "2/3600"
    sr = ServiceRequestFactory(service_type=pothole)
    misses = [client.get(f"/track/guess{i}/data/", **HOME).status_code for i in range(2)]
    assert misses == [404, 404]
    assert client.get(f"/track/{sr.tracking_token}/data/", **HOME).status_code == 429
    assert client.get(f"/track/{sr.tracking_token}/", **HOME).status_code == 429


def test_staff_sign_in_locks_out_after_failures_with_429_and_retry_after(client, staff, settings):
    url = reverse("staff:login")
    failures = [
        client.post(url, {"username": "staff", "password": "wrong"}, **HOME).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    locked = client.post(url, {"username": "staff", "password": "wrong"}, **HOME)
    even_right = client.post(url, {"username": "staff", "password": PASSWORD}, **HOME)
    assert failures == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert locked.status_code == 429 and even_right.status_code == 429
    assert int(even_right["Retry-After"]) == int(settings.AXES_COOLOFF_TIME * 3600)
    assert "<main" in even_right.content.decode()
    assert client.post(url, {"username": "staff", "password": PASSWORD}, **ELSEWHERE).status_code == 302


def test_with_the_cache_unreachable_residents_are_not_refused(client, pothole, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the rate counters' Redis
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    sr = ServiceRequestFactory(service_type=pothole)
    assert client.get(reverse("frontend:track", args=[sr.tracking_token]), **HOME).status_code == 200
    assert client.get(reverse("frontend:track", args=["guess"]), **HOME).status_code == 404


def test_a_forged_forwarded_for_header_does_not_escape_the_filing_limit(client, pothole, settings):
    settings.RATE_LIMIT_FILINGS = "1/3600"
    url = reverse("frontend:report", args=["sf.example", "pothole"])
    assert client.post(url, filing(pothole), HTTP_ACCEPT="application/json", **HOME).status_code == 201
    # Without a configured proxy, a new X-Forwarded-For per request changes nothing: the limit is per REMOTE_ADDR.
    forged = client.post(
        url, filing(pothole), HTTP_ACCEPT="application/json", HTTP_X_FORWARDED_FOR="192.0.2.77", **HOME
    )
    assert forged.status_code == 429
    # Behind a configured proxy, the client the proxy names is counted on its own.
    settings.TRUSTED_PROXIES = ["198.51.100.0/24"]
    assert (
        client.post(
            url, filing(pothole), HTTP_ACCEPT="application/json", HTTP_X_FORWARDED_FOR="192.0.2.77", **HOME
        ).status_code
        == 201
    )
