"""A real PostgreSQL streaming replica behind the public outputs: they read it, while whoever has just written
(a resident after filing, an Open311 client asking for the request it filed) never reads behind their write."""

import httpx
import pytest

from tests.faults.stack import Client

pytestmark = pytest.mark.scale


@pytest.fixture
def replicated(stack):
    stack.settings["DATABASE_REPLICA_URLS"] = stack.start_replica()
    stack.wait_for(lambda: stack.replica_sql("select pg_is_in_recovery()") == "t", "the replica")
    return stack, stack.start_web(workers=1)


def listed_ids(url: str, client=httpx) -> set[str]:
    answer = client.get(url + "/open311/v2/requests.json", params={"jurisdiction_id": "sz.gov.cn"}, timeout=10)
    assert answer.status_code == 200
    return {row["service_request_id"] for row in answer.json()}


def test_public_lists_are_served_by_the_replica(replicated):
    stack, url = replicated
    first = Client(stack, url).file(1)
    stack.wait_for(lambda: first in listed_ids(url), "the replica catching up")
    # With the replica's replay paused, a filing reaches the primary only: a list that lacks it came from the
    # replica, so the replica is doing the public reads.
    stack.replica_sql("select pg_wal_replay_pause()")
    second = Client(stack, url).file(2)
    assert second not in listed_ids(url)
    assert stack.value("select count(*) from requests_app_servicerequest where public_id = %s", (second,)) == 1
    stack.replica_sql("select pg_wal_replay_resume()")
    stack.wait_for(lambda: second in listed_ids(url), "the replica catching up after the pause")


def test_a_client_never_gets_not_found_for_the_request_it_just_filed(replicated):
    stack, url = replicated
    stack.replica_sql("select pg_wal_replay_pause()")
    filed = Client(stack, url).file(3)
    # An Open311 client keeps no cookie: the replica has not seen the request, so the primary answers.
    answer = httpx.get(f"{url}/open311/v2/requests/{filed}.json", params={"jurisdiction_id": "sz.gov.cn"}, timeout=10)
    assert answer.status_code == 200 and answer.json()[0]["service_request_id"] == filed


def test_a_browser_that_has_just_written_reads_the_primary(replicated):
    stack, url = replicated
    stack.replica_sql("select pg_wal_replay_pause()")
    form = Client(stack, url).form(4)
    with httpx.Client(timeout=10) as browser:
        answer = browser.post(url + "/open311/v2/requests.json", data=form)
        assert answer.status_code == 200 and "civic311_primary" in browser.cookies
        filed = answer.json()[0]["service_request_id"]
        assert filed in listed_ids(url, browser)
    assert filed not in listed_ids(url)  # a reader without the pin still gets the (paused) replica
