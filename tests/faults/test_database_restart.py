"""PostgreSQL restarts under a running web server: clear 503s during the outage, then service resumes
without restarting the web processes."""

import time

import httpx
import pytest

pytestmark = pytest.mark.faults


def test_pages_answer_503_with_retry_after_during_a_database_restart_and_recover(stack):
    url = stack.start_web(workers=2)
    assert httpx.get(url + "/").status_code == 200

    stack.stop_postgres()
    during = [httpx.get(url + "/") for _ in range(4)]
    assert {r.status_code for r in during} == {503}
    assert all(r.headers["Retry-After"] == "5" for r in during)

    stack.start_postgres()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and httpx.get(url + "/").status_code != 200:
        time.sleep(0.2)
    assert [httpx.get(url + "/").status_code for _ in range(6)] == [200] * 6
