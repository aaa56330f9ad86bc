"""Redis killed in the middle of a burst of Open311 filings, then restarted: filing goes on without it, and
routing catches up by itself (beat's sweep) once it is back."""

import itertools
import threading

import pytest

from tests.faults.stack import Client, in_threads

pytestmark = pytest.mark.faults


def test_filings_succeed_while_redis_is_down_and_every_one_is_routed_once_it_returns(stack):
    stack.start_routing(sweep_after=1, sweep_every=1)
    url = stack.start_web(workers=2)
    stack.wait_worker_ready()
    client = Client(stack, url)
    numbers = itertools.count()
    redis_down, redis_back = threading.Event(), threading.Event()
    filed_while_down = []

    def burst(_thread):
        while not redis_back.is_set():
            client.file(next(numbers))
            if redis_down.is_set() and not redis_back.is_set():
                filed_while_down.append(1)
        for _ in range(3):  # and some after Redis returned
            client.file(next(numbers))

    def faults():
        stack.wait_for(lambda: len(client.acknowledged) >= 10, "10 filings")
        stack.stop_redis()
        redis_down.set()
        stack.wait_for(lambda: len(filed_while_down) >= 15, "15 filings without Redis")
        stack.start_redis()
        redis_back.set()

    in_threads(lambda i: faults() if i == 0 else burst(i), 4)

    assert len(filed_while_down) >= 15
    assert set(client.statuses()) == {200}  # not one filing failed, not even while Redis was away
    acknowledged = set(client.acknowledged.values())
    assert len(acknowledged) == len(client.acknowledged) >= 34
    stack.wait_until_routed(len(acknowledged), seconds=90)  # the sweep routes what Redis missed
    stack.assert_each_stored_and_routed_once(acknowledged)
