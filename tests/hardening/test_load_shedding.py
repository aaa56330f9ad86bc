"""Past capacity the server sheds load early and honestly: a request that waited too long for a thread gets 503
with Retry-After in the caller's format, at once, instead of joining a pile-up of timeouts (config/shedding.py,
config.middleware.LoadSheddingMiddleware). Through real gunicorn with the production settings."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from tests.gunicorn_server import production_server
from tests.hardening.slow_wsgi import HOLD_SECONDS, SLOW_PATH

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_thread_server(jurisdiction, pothole):
    """gunicorn as production runs it (config/gunicorn.py), cut down to one worker with one thread."""
    with production_server("tests.hardening.slow_wsgi:application", env={"WEB_THREADS": "1"}) as base:
        yield base


def _behind_a_busy_thread(base: str, requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    """Occupy the only thread, then send each request while it is busy; they wait in gunicorn's queue."""
    holding = threading.Thread(target=httpx.get, args=(base + SLOW_PATH,), kwargs={"timeout": 10})
    holding.start()
    time.sleep(0.2)  # the slow request has its thread
    with ThreadPoolExecutor(len(requests)) as pool:
        answers = list(pool.map(lambda r: httpx.get(base + r[0], headers=r[1], timeout=10), requests))
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
