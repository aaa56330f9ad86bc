"""Past capacity the server sheds load early and honestly: a request that waited too long for a thread gets 503
with Retry-After in the caller's format, at once, instead of joining a pile-up of timeouts (config/shedding.py,
config.middleware.LoadSheddingMiddleware). Through real gunicorn with the production settings."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from open311.services import create_api_key
from requests_app.models import ServiceRequest
from tests.gunicorn_server import production_server
from tests.hardening.slow_wsgi import HOLD_SECONDS, SLOW_PATH

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_thread_server(jurisdiction, pothole):
    """gunicorn as production runs it (config/gunicorn.py), cut down to one worker with one thread."""
    with production_server("tests.hardening.slow_wsgi:application", env={"WEB_THREADS": "1"}) as base:
        yield base


def _behind_a_busy_thread(
    base: str, requests: list[tuple[str, dict]], data: dict | None = None
) -> list[httpx.Response]:
    """Occupy the only thread, then send each request (a POST of ``data`` when given) while it is busy; they wait
    in gunicorn's queue."""
    holding = threading.Thread(target=httpx.get, args=(base + SLOW_PATH,), kwargs={"timeout": 10})
    holding.start()
    time.sleep(0.2)  # the slow request has its thread
    method = "GET" if data is None else "POST"
    with ThreadPoolExecutor(len(requests)) as pool:
        answers = list(
            pool.map(lambda r: httpx.request(method, base + r[0], headers=r[1], data=data, timeout=10), requests)
        )
    holding.join()
    return answers


def test_requests_queued_past_the_limit_get_503_with_retry_after_in_the_callers_format(one_thread_server):
    code = "jurisdiction_id=sf.example"
    started = time.monotonic()
    json_list, xml_list, page, chinese_page = _behind_a_busy_thread(
        one_thread_server,
        [
            (f"/open311/v2/services.json?{code}", {}),
            (f"/open311/v2/services.xml?{code}", {}),
            ("/", {"Accept-Language": "en"}),
            ("/", {"Accept-Language": "zh-CN,zh;q=0.9"}),
        ],
    )
    # Each waited for the held thread, then was answered without running a view.
    assert time.monotonic() - started < HOLD_SECONDS + 2
    for answer in (json_list, xml_list, page, chinese_page):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == str(settings.WEB_SHED_RETRY_AFTER_SECONDS)
        assert answer.headers["Cache-Control"] == "no-store"
    assert json_list.json()[0]["code"] == 503
    assert "<errors><error><code>503</code>" in xml_list.text
    assert "try again" in page.text
    assert "try again" not in chinese_page.text and chinese_page.text.strip()


def test_liveness_is_answered_even_past_the_limit_and_the_server_recovers(one_thread_server):
    (alive,) = _behind_a_busy_thread(one_thread_server, [("/livez", {})])
    assert alive.status_code == 200

    answer = httpx.get(one_thread_server + "/open311/v2/services.json?jurisdiction_id=sf.example", timeout=10)
    assert answer.status_code == 200


def test_a_client_cannot_have_a_request_shed_by_sending_the_wait_header_itself(one_thread_server):
    answer = httpx.get(
        one_thread_server + "/open311/v2/services.json?jurisdiction_id=sf.example",
        headers={"X-Civic311-Queue-Wait-Ms": "99999"},
        timeout=10,
    )
    assert answer.status_code == 200


def test_a_shed_open311_filing_stores_nothing_and_its_retry_files_it_once(one_thread_server, jurisdiction):
    _key, raw_key = create_api_key(application="Test client", jurisdiction=jurisdiction)
    filing = {
        "api_key": raw_key,
        "jurisdiction_id": "sf.example",
        "service_code": "pothole",
        "lat": "37.7749",
        "long": "-122.4194",
        "description": "A deep pothole",
    }
    retry = {"Idempotency-Key": "shed-then-retried"}
    json_answer, xml_answer, chinese_answer = _behind_a_busy_thread(
        one_thread_server,
        [
            ("/open311/v2/requests.json", retry),
            ("/open311/v2/requests.xml", {"Idempotency-Key": "shed-xml"}),
            ("/open311/v2/requests.json", {"Idempotency-Key": "shed-zh", "Accept-Language": "zh-CN,zh;q=0.9"}),
        ],
        data=filing,
    )
    for answer in (json_answer, xml_answer, chinese_answer):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == str(settings.WEB_SHED_RETRY_AFTER_SECONDS)
    assert json_answer.json()[0]["code"] == 503
    assert "<errors><error><code>503</code>" in xml_answer.text
    english, chinese = json_answer.json()[0]["description"], chinese_answer.json()[0]["description"]
    assert "try again" in english and chinese and chinese != english
    assert not ServiceRequest.objects.exists()

    # Nothing of the shed call was kept, not even its Idempotency-Key: the client's retry files the request.
    filed = httpx.post(one_thread_server + "/open311/v2/requests.json", headers=retry, data=filing, timeout=10)
    assert filed.status_code == 200, filed.text
    again = httpx.post(one_thread_server + "/open311/v2/requests.json", headers=retry, data=filing, timeout=10)
    assert again.json() == filed.json()
    assert ServiceRequest.objects.count() == 1
