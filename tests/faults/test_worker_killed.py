"""A Celery worker SIGKILLed in the middle of routing a burst: a new worker and beat's sweep route what it
left, and no request is routed twice."""
import pytest

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.faults

BURST = 40


def test_a_worker_killed_mid_routing_leaves_every_request_routed_once_with_one_history_row(stack):
    stack.settings.update({"ROUTING_SWEEP_AFTER_SECONDS": "1", "ROUTING_SWEEP_EVERY_SECONDS": "1"})
    url = stack.start_web(workers=1)
    client = Client(stack, url)
    # Filed with no worker running: their routing tasks wait in Redis for the worker about to be killed.
    in_threads(lambda i: [client.file(i * 1000 + n) for n in range(BURST // 4)], 4)
    assert stack.value("select count(*) from requests_app_servicerequest where routing_state = 'pending'") == BURST

    stack.start_worker("doomed", concurrency=1)
    stack._wait(lambda: stack.value("select count(*) from requests_app_servicerequest "
                                    "where routing_state <> 'pending'") >= 5, "routing to begin")
    stack.kill("doomed")
    routed_before_kill = stack.value("select count(*) from requests_app_servicerequest where routing_state <> 'pending'")
    assert 5 <= routed_before_kill < BURST

    stack.start_worker("replacement")
    stack.start_beat()  # the sweep routes what the killed worker had taken but not finished
    stack.wait_until_routed(BURST)
    stored = stack.stored_requests()
    assert set(stored) == set(client.acknowledged.values())
    assert {(decisions, history, filing) for _state, decisions, history, filing in stored.values()} == {(1, 2, 1)}
