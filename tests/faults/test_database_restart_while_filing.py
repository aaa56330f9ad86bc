"""PostgreSQL restarted while Open311 clients file: a clear 503 with Retry-After during the outage, nothing
half-written, and filing resumes on the same web processes."""

import threading

import httpx
import pytest

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.faults


def test_filing_through_a_database_restart_answers_503_then_resumes_with_no_partial_or_lost_rows(stack):
    stack.start_routing(sweep_after=1, sweep_every=1)
    url = stack.start_web(workers=2)
    web_pid = stack.processes["web"].pid
    client = Client(stack, url)
    restarted = threading.Event()

    def burst(thread):
        n = thread * 1000
        while not restarted.is_set():
            client.file(n)
            n += 1
        for extra in range(5):
            client.file(n + extra)

    def outage(_thread):
        stack.wait_for(lambda: len(client.acknowledged) >= 10, "10 filings")
        stack.stop_postgres()
        stack.wait_for(lambda: client.statuses().count(503) >= 6, "503 answers while the database is down")
        stack.start_postgres()
        restarted.set()

    in_threads(lambda i: outage(i) if i == 0 else burst(i), 4)

    unavailable = [a for a in client.answers if isinstance(a, httpx.Response) and a.status_code == 503]
    assert len(unavailable) >= 6
    assert {a.headers["Retry-After"] for a in unavailable} == {"5"}
    assert {a.json()[0]["code"] for a in unavailable} == {503}
    assert set(client.statuses()) == {200, 503}  # never a 500, never a dropped connection
    assert stack.is_running("web") and stack.processes["web"].pid == web_pid

    acknowledged = set(client.acknowledged.values())
    assert len(acknowledged) == len(client.acknowledged) >= 25
    stack.wait_until_routed(len(acknowledged))
    stack.assert_each_stored_and_routed_once(acknowledged)
    # No half-written filing: one idempotency record per request, each holding the answer its client got.
    # (Keys are kept only as keyed hashes, so the records are matched by the answers they hold.)
    records = stack.query("select payload->0->>'service_request_id' from requests_app_idempotentwrite")
    assert sorted(answer for (answer,) in records) == sorted(client.acknowledged.values())
