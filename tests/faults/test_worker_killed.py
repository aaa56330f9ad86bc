"""A Celery worker SIGKILLed in the middle of routing a burst: a new worker and beat's sweep route what it
left, and no request is routed twice."""

import pytest

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.faults

BURST = 40
ROUTED = "select count(*) from requests_app_servicerequest where routing_state <> 'pending'"


def test_a_worker_killed_mid_routing_leaves_every_request_routed_once_with_one_history_row(stack):
    url = stack.start_web(workers=1)
    client = Client(stack, url)
    # Filed with no worker running: their routing tasks wait in Redis for the worker about to be killed.
    in_threads(lambda i: [client.file(i * 1000 + n) for n in range(BURST // 4)], 4)
    assert stack.value("select count(*) from requests_app_servicerequest where routing_state = 'pending'") == BURST

    stack.start_worker("doomed", concurrency=1)
    stack.wait_for(lambda: stack.value(ROUTED) >= 5, "routing to begin")
    stack.kill("doomed")
    routed_before_kill = stack.value(ROUTED)
    assert 5 <= routed_before_kill < BURST

    # A new worker takes the tasks still queued; beat's sweep routes the one the killed worker had taken.
    stack.start_routing(sweep_after=1, sweep_every=1, workers=("replacement",))
    stack.wait_until_routed(BURST)
    stack.assert_each_stored_and_routed_once(set(client.acknowledged.values()))
