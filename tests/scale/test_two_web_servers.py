"""Stateless web processes: two gunicorn servers behind HAProxy, one killed under load. Every acknowledged
filing is stored, and a resident's session (the "me too" they already gave) lives on through the other server."""

import re
import threading

import httpx
import pytest

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.scale

FILINGS = 40


def say_me_too(browser: httpx.Client, public_id: str) -> dict:
    page = browser.get(f"/requests/{public_id}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        f"/requests/{public_id}/me-too/",
        data={"csrfmiddlewaretoken": token},
        headers={"Accept": "application/json", "X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_killing_one_of_two_web_servers_mid_load_loses_no_filing_and_no_session(stack):
    web_a, web_b = stack.start_web("web-a", workers=1), stack.start_web("web-b", workers=1)
    balancer = stack.start_balancer(web_a, web_b)
    client = Client(stack, balancer)
    reported = client.file(0)

    with httpx.Client(base_url=balancer, timeout=10) as browser:
        assert say_me_too(browser, reported)["me_too_count"] == 1

        halfway = threading.Event()

        def file_some(thread):
            for n in range(FILINGS // 4):
                client.file(1 + thread * 100 + n)
                if len(client.acknowledged) >= FILINGS // 3:
                    halfway.set()

        killer = threading.Thread(target=lambda: halfway.wait(60) and stack.kill("web-a"))
        killer.start()
        in_threads(file_some, 4)
        killer.join()

        assert not stack.is_running("web-a")
        stored = set(stack.stored_requests())
        assert stored == set(client.acknowledged.values()) and len(stored) == FILINGS + 1
        # The session lives in the database, not in the killed process: the other server knows this browser
        # already said "me too" and does not count it twice.
        again = say_me_too(browser, reported)
        assert again["me_too_count"] == 1
