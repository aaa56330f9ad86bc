from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.http import StreamingHttpResponse

from open311 import selectors
from open311.renderers import to_xml
from requests_app.models import StatusChange
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory
from tests.open311.conftest import errors_of, parse_json, parse_xml

pytestmark = pytest.mark.django_db
URL = "/open311/v2/servicerequestupdates.{}"


def post_update(client, api_key, sr, fmt="json", **extra):
    data = {
        "api_key": api_key,
        "service_request_id": sr.public_id,
        "update_id": "fms-1",
        "updated_datetime": "2026-01-02T03:04:05+00:00",
        "status": "FIXED",
        "description": "Mended, thanks",
        "email": "canary-9@example.org",
        "first_name": "Canary",
        "email_alerts_requested": "true",
    } | extra
    return client.post(URL.format(fmt), data)


def test_a_fixmystreet_update_moves_the_status_and_keeps_the_note(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.IN_PROGRESS)
    response = post_update(client, api_key, sr, "xml")
    root = parse_xml(response)
    assert root.tag == "service_request_updates"
    update_id = root.find("request_update").findtext("update_id")
    change = StatusChange.objects.get(pk=int(update_id))
    assert (change.new_status, change.public_note) == (Status.RESOLVED, "Mended, thanks")
    assert b"anary" not in response.content


def test_a_repeated_update_id_returns_the_first_result(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.IN_PROGRESS)
    first = parse_json(post_update(client, api_key, sr))
    again = parse_json(post_update(client, api_key, sr))
    assert first == again and sr.status_changes.count() == 1


def test_a_fixed_report_that_was_never_worked_on_is_closed(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.SUBMITTED)
    parse_json(post_update(client, api_key, sr))
    sr.refresh_from_db()
    assert sr.status == Status.CLOSED


def test_an_open_update_keeps_the_status_and_adds_the_note(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.ACKNOWLEDGED)
    parse_json(post_update(client, api_key, sr, status="OPEN", description="Still there"))
    sr.refresh_from_db()
    assert sr.status == Status.ACKNOWLEDGED
    assert sr.status_changes.get().public_note == "Still there"


def test_bad_updates_get_open311_errors(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.SUBMITTED)
    assert post_update(client, "wrong", sr).status_code == 403
    unknown = post_update(client, api_key, sr, status="MAYBE")
    assert unknown.status_code == 400 and "FIXED" in errors_of(unknown)[0]["description"]
    missing = post_update(client, api_key, sr, description="")
    assert [e["description"] for e in errors_of(missing)] == ["description required"]
    not_allowed = post_update(client, api_key, sr, status="REOPEN", update_id="fms-2")
    assert not_allowed.status_code == 200  # REOPEN of an open request keeps it open with the note
    closed = ServiceRequestFactory(service_type=pothole, status=Status.CLOSED)
    refused = post_update(client, api_key, closed, status="DUPLICATE", update_id="fms-3")
    assert refused.status_code == 400
    gone = post_update(client, api_key, sr, service_request_id="NOPE", update_id="fms-4")
    assert gone.status_code == 404


def test_updates_in_a_window_come_back_with_fixmystreet_statuses(client, pothole, api_key):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.SUBMITTED)
    StatusChange.objects.create(service_request=sr, old_status="", new_status=Status.SUBMITTED)
    change_status(sr, to=Status.NOT_OURS, public_note="Ask the state: 415 555 0100", internal_note="secret")
    [update] = parse_json(client.get(URL.format("json")))
    assert (update["service_request_id"], update["status"]) == (sr.public_id, "not_councils_responsibility")
    assert update["description"] == "Ask the state: [removed]"
    root = parse_xml(
        client.get(URL.format("xml"), {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"})
    )
    assert root.tag == "service_request_updates" and len(root) == 0


def _busy_hour(sr, n: int) -> list[StatusChange]:
    # Three updates share each second, so the keyset has ties to step over.
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    return StatusChange.objects.bulk_create(
        StatusChange(
            service_request=sr,
            old_status=Status.ACKNOWLEDGED,
            new_status=Status.IN_PROGRESS,
            at=start + timedelta(seconds=i // 3),
            public_note=f"Crew note {i}",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("chunk", [2000, 7])
def test_a_busy_window_answers_every_update_in_time_order(client, pothole, monkeypatch, chunk):
    monkeypatch.setattr(selectors, "UPDATE_CHUNK", chunk)
    sr = ServiceRequestFactory(service_type=pothole, status=Status.IN_PROGRESS)
    changes = _busy_hour(sr, 1_205)
    window = {"start_date": "2026-03-02T08:00:00Z", "end_date": "2026-03-02T09:00:00Z"}
    response = client.get(URL.format("json"), window)
    assert isinstance(response, StreamingHttpResponse)
    updates = parse_json(response)
    assert [u["update_id"] for u in updates] == [str(c.pk) for c in changes]
    assert updates[-1]["description"] == "Crew note 1204"
    root = parse_xml(client.get(URL.format("xml"), window))
    assert [e.findtext("update_id") for e in root] == [str(c.pk) for c in changes]


def test_the_streamed_feed_is_the_same_document_as_one_rendered_whole(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.IN_PROGRESS)
    _busy_hour(sr, 3)
    window = {"start_date": "2026-03-02T08:00:00Z", "end_date": "2026-03-02T09:00:00Z"}
    updates = parse_json(client.get(URL.format("json"), window))
    assert client.get(URL.format("json"), window).getvalue() == orjson.dumps(updates)
    xml = client.get(URL.format("xml"), window).getvalue()
    assert xml == to_xml(updates, "service_request_updates", "request_update")
    empty = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    assert client.get(URL.format("xml"), empty).getvalue() == to_xml([], "service_request_updates", "request_update")
    assert client.get(URL.format("json"), empty).getvalue() == b"[]"
