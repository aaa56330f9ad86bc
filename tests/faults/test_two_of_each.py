"""Two web processes and two Celery workers at once, clients retrying the same filing on the other web
process, routing tasks delivered more than once: one request per filing, each routed once."""

import threading
import uuid

import pytest
from celery import Celery

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.faults

FILINGS = 24


def test_retries_across_two_web_processes_and_two_workers_make_no_duplicate_and_no_double_routing(stack):
    # The sweep runs every half second on requests filed a moment ago: it races the routing tasks on purpose.
    stack.start_routing(sweep_after=0, sweep_every=0.5, workers=("worker-a", "worker-b"))
    urls = stack.start_web("web-a", workers=1), stack.start_web("web-b", workers=1)
    client = Client(stack, *urls)
    answers: dict[str, list] = {}

    def file_twice_at_once(i):
        # A client that timed out on one web process resends the same filing to the other, while the first
        # is still being answered.
        key, form = uuid.uuid4().hex, client.form(i)
        start = threading.Barrier(2)

        def send(url):
            start.wait()
            answers.setdefault(key, []).append(client.post(url, form, key))

        in_threads(lambda side: send(urls[side]), 2)
        answers[key].append(client.post(urls[i % 2], form, key))  # and once more, later

    in_threads(lambda t: [file_twice_at_once(t * 100 + n) for n in range(FILINGS // 4)], 4)

    assert set(client.statuses()) == {200}
    ids = {key: {a.json()[0]["service_request_id"] for a in sent} for key, sent in answers.items()}
    assert len(ids) == FILINGS and all(len(one) == 1 for one in ids.values())  # every retry got the first answer
    acknowledged = {one.pop() for one in ids.values()}

    # Every request's routing task delivered once more, as a redelivery after a lost acknowledgement would.
    broker = Celery(broker=f"redis://127.0.0.1:{stack.redis_port}/0")
    pks = [pk for (pk,) in stack.query("select id from requests_app_servicerequest")]
    for pk in pks:
        broker.send_task("routing.tasks.route_request_task", args=[pk], queue="routing")

    stack.wait_until_routed(FILINGS)
    # Until every delivery has run (none queued, none taken and unfinished), so a second routing would show.
    stack.wait_for(
        lambda: stack.redis("llen", "routing") == stack.redis("hlen", "unacked") == "0", "the queue to drain"
    )
    stack.assert_each_stored_and_routed_once(acknowledged)
