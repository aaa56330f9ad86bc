"""Requests of a department that works in another system go there by Open311, and its updates come back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.delivery import apply_update, deliver_message, poll_destination, retry_messages, stop_messages
from integrations.events import Event
from integrations.models import OnwardLink, OutboxMessage
from requests_app.models import StatusChange
from requests_app.statuses import Status
from routing.router import route_request

from .conftest import ASK_ME

pytestmark = pytest.mark.django_db


def _handover(sr):
    return OutboxMessage.objects.get(service_request=sr, event=Event.HANDOVER)


def test_a_routed_request_is_filed_at_the_departments_open311_server_and_its_id_kept_in_the_history(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    sr = file_pothole()
    route_request(sr.pk)
    message = _handover(sr)

    assert deliver_message(message.pk) == ("delivered", None)

    fields = dict(receiver.filed[0])
    assert fields["service_code"] == "PH01"
    assert fields["api_key"] == "contractor-key" and fields["jurisdiction_id"] == "contractor.example"
    assert (fields["lat"], fields["long"]) == ("37.774900", "-122.419400")
    assert OnwardLink.objects.get(service_request=sr).external_id == "EXT-1"
    assert StatusChange.objects.filter(service_request=sr, internal_note__contains="EXT-1").exists()


def test_a_request_is_handed_over_once_however_often_it_is_routed(potholes_to_public_works, contractor, file_pothole):
    from integrations.outbox import record_events

    sr = file_pothole()
    route_request(sr.pk)
    sr.refresh_from_db()
    record_events([sr], Event.ROUTED)

    assert OutboxMessage.objects.filter(service_request=sr, event=Event.HANDOVER).count() == 1


def test_contact_details_go_onward_only_with_the_consent_that_the_department_may_ask(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    consented = file_pothole(email="ann@example.org", first_name="Ann", purposes=ASK_ME)
    updates_only = file_pothole(
        email="bob@example.org", purposes=("status_updates",), description="Call me on +1 415 555 0101"
    )
    for sr in (consented, updates_only):
        route_request(sr.pk)
        deliver_message(_handover(sr).pk)

    with_consent, without = (dict(fields) for fields in receiver.filed)
    assert with_consent["email"] == "ann@example.org"
    assert "first_name" not in with_consent  # the destination does not need the name
    assert "email" not in without and "phone" not in without
    assert "555 0101" not in without["description"]


def test_no_contact_goes_to_a_destination_of_a_department_the_request_left(
    potholes_to_public_works, contractor, receiver, file_pothole, other_department
):
    sr = file_pothole(email="ann@example.org", purposes=ASK_ME)
    route_request(sr.pk)
    type(sr).objects.filter(pk=sr.pk).update(department=other_department)

    deliver_message(_handover(sr).pk)

    assert "email" not in dict(receiver.filed[0])


def test_a_receiver_that_is_down_is_retried_after_growing_pauses(
    potholes_to_public_works, contractor, receiver, file_pothole, settings
):
    settings.INTEGRATIONS_RETRY_BASE_SECONDS = 30
    receiver.down = True
    sr = file_pothole()
    route_request(sr.pk)
    message = _handover(sr)

    pauses = []
    for _ in range(3):
        state, pause = deliver_message(message.pk)
        pauses.append(pause)
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())

    assert state == "retry" and pauses == [30, 60, 120]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING and message.last_error.startswith("HTTP 503")
    assert receiver.filed == []


def test_a_message_that_fails_past_its_time_is_stuck_until_an_operator_retries_it(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    receiver.down = True
    sr = file_pothole()
    route_request(sr.pk)
    message = _handover(sr)
    OutboxMessage.objects.filter(pk=message.pk).update(give_up_at=timezone.now() - timedelta(seconds=1))

    assert deliver_message(message.pk)[0] == OutboxMessage.State.FAILED
    receiver.down = False
    assert deliver_message(message.pk)[0] == OutboxMessage.State.FAILED  # stuck: nothing sends it by itself

    retry_messages([message.pk])
    assert deliver_message(message.pk) == ("delivered", None)
    assert len(receiver.filed) == 1


def test_a_refused_request_is_stuck_at_once_and_a_stopped_one_lets_the_next_go(
    potholes_to_public_works, contractor, receiver, file_pothole, subscription, django_capture_on_commit_callbacks
):
    contractor.service_codes = {"pothole": "UNKNOWN"}
    contractor.save()
    sr = file_pothole()
    route_request(sr.pk)
    message = _handover(sr)
    status_change = OutboxMessage.objects.get(service_request=sr, event=Event.ROUTED)
    # A second handover message to the same destination about the same request waits behind the first.
    behind = OutboxMessage.objects.create(
        service_request=sr, destination=contractor, event=Event.HANDOVER, give_up_at=message.give_up_at
    )

    assert deliver_message(message.pk)[0] == OutboxMessage.State.FAILED
    assert OutboxMessage.objects.get(pk=message.pk).last_error == "HTTP 404 service_code UNKNOWN not found"
    assert deliver_message(behind.pk)[0] == "waiting"
    # Another receiver's queue is not held up (its own messages leave in order: filed, then routed).
    assert deliver_message(status_change.pk)[0] == "waiting"
    assert deliver_message(OutboxMessage.objects.get(service_request=sr, event=Event.FILED).pk)[0] == "delivered"
    assert deliver_message(status_change.pk)[0] == "delivered"

    with django_capture_on_commit_callbacks() as callbacks:
        stop_messages([message.pk])
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.STOPPED
    assert callbacks  # the next one in the queue is sent on
    assert deliver_message(behind.pk)[0] == "failed"


def _handed_over(sr, receiver):
    deliver_message(_handover(sr).pk)
    return OnwardLink.objects.get(service_request=sr)


def test_updates_from_the_destination_move_the_status_through_the_pipeline_once(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    sr = file_pothole()
    route_request(sr.pk)
    link = _handed_over(sr, receiver)
    receiver.updates = [
        {
            "update_id": "u1",
            "service_request_id": link.external_id,
            "status": "IN_PROGRESS",
            "updated_datetime": "2026-12-01T10:00:00Z",
            "description": "Crew on the way",
        },
        {
            "update_id": "u2",
            "service_request_id": link.external_id,
            "status": "FIXED",
            "updated_datetime": "2026-12-01T12:00:00Z",
            "description": "Filled",
        },
        {
            "update_id": "u9",
            "service_request_id": "SOMEONE-ELSES",
            "status": "CLOSED",
            "updated_datetime": "2026-12-01T12:00:00Z",
            "description": "",
        },
    ]

    assert poll_destination(contractor.pk) == 2
    assert poll_destination(contractor.pk) == 0  # the same window again adds nothing

    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    history = list(StatusChange.objects.filter(service_request=sr).values_list("new_status", "public_note"))
    assert (Status.IN_PROGRESS, "Crew on the way") in history and (Status.RESOLVED, "Filled") in history
    assert receiver.update_queries[0]["api_key"] == "contractor-key"
    assert OnwardLink.objects.get(pk=link.pk).remote_status == "FIXED"


def test_an_update_the_pipeline_cannot_follow_is_kept_as_a_note(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    sr = file_pothole()
    route_request(sr.pk)
    link = _handed_over(sr, receiver)

    apply_update(
        contractor,
        {
            "key": "u1",
            "service_request_id": link.external_id,
            "status": "AWAITING_PARTS",
            "description": "",
            "at": None,
        },
    )

    sr.refresh_from_db()
    assert sr.status == Status.SUBMITTED
    note = StatusChange.objects.filter(service_request=sr).latest("id").internal_note
    assert "AWAITING_PARTS" in note and "kept" in note


def test_a_token_answered_for_a_batch_service_is_turned_into_its_id_by_the_next_poll(
    potholes_to_public_works, contractor, receiver, file_pothole
):
    contractor.service_codes = {"pothole": "BATCH"}
    contractor.save()
    sr = file_pothole()
    route_request(sr.pk)
    deliver_message(_handover(sr).pk)
    assert OnwardLink.objects.get(service_request=sr).token == "T-1"

    poll_destination(contractor.pk)

    assert OnwardLink.objects.get(service_request=sr).external_id == "EXT-LATER"
