"""The requester's contact on the staff side: shown on request with a reason and a consented purpose, logged,
never elsewhere; status changes with a public note and department questions reach them only under consent."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contacts.models import AccessLog, Notification
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.services import erase_contact, send_notification
from requests_app.statuses import Status
from staffing import services
from tests.staff.conftest import sends, sign_in

EMAIL = "ana@example.org"


def show(client, sr, purpose=Purpose.STATUS_UPDATES, reason="Caller asked for an update"):
    return client.post(reverse("staff:contact", args=[sr.public_id]), {"purpose": purpose, "reason": reason})


def send_queued():
    return [send_notification(n.pk) for n in Notification.objects.filter(state=Notification.State.PENDING)]


def test_staff_see_the_contact_for_a_consented_purpose_and_the_look_is_logged(
    client, staff, make_request, with_contact
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES, phone="+1 415 555 0100")
    response = show(sign_in(client, staff), sr)
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert f'<dd id="contact-email">{EMAIL}</dd>' in html and "Ana Lima" in html and "555 0100" in html
    log = AccessLog.objects.get()
    assert (log.user, log.purposes) == (staff, [Purpose.STATUS_UPDATES])
    assert log.reason == "Status updates about this request: Caller asked for an update"


def test_a_purpose_the_requester_did_not_agree_to_shows_nothing_and_reads_nothing(
    client, staff, make_request, with_contact
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    html = show(sign_in(client, staff), sr, purpose=Purpose.DEPARTMENT_QUESTIONS).content.decode()
    assert EMAIL not in html and "did not agree to" in html
    assert not AccessLog.objects.exists()


def test_a_look_needs_a_reason(client, staff, make_request, with_contact):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    response = show(sign_in(client, staff), sr, reason="  ")
    assert response.status_code == 400 and EMAIL not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_an_erased_contact_shows_nothing(client, staff, make_request, with_contact):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    erase_contact(service_request_id=sr.pk)
    html = show(sign_in(client, staff), sr).content.decode()
    # Erasure ends the consents too, so the page says so before anything is read.
    assert EMAIL not in html and "did not agree to" in html


def test_the_contact_is_never_on_the_page_the_queue_the_map_or_in_the_logs(
    client, staff, make_request, with_contact, caplog
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS)
    sign_in(client, staff)
    caplog.set_level(logging.DEBUG)
    show(client, sr)
    services.set_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Seen")
    outputs = [
        client.get(reverse("staff:request", args=[sr.public_id])).content.decode(),
        client.get(reverse("staff:queue")).content.decode(),
        client.get(reverse("staff:map_data")).content.decode(),
        client.get(reverse("staff:changes"), {"since": "2026-01-01T00:00:00Z"}).content.decode(),
        " ".join(f"{e.public_note} {e.internal_note}" for e in sr.status_changes.all()),
        caplog.text,
    ]
    for output in outputs:
        assert EMAIL not in output and "Lima" not in output
    assert sr.public_id in outputs[1]


@pytest.mark.parametrize("user", ["other_staff", "foreign_staff"])
def test_another_department_or_city_gets_no_contact(request, client, make_request, with_contact, user):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    response = show(sign_in(client, request.getfixturevalue(user)), sr)
    assert response.status_code in (403, 404) and EMAIL not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_hold_with_a_public_note_is_emailed_after_commit(
    staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    sr = with_contact(make_request(status=Status.ACKNOWLEDGED), Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.hold(sr, until=timezone.localdate() + timedelta(days=3), by=staff, public_note="Parts ordered")
    # Queued with the hold, in its transaction; only its sending waits for the commit.
    (send,) = sends(callbacks)
    assert Notification.objects.get().state == Notification.State.PENDING and not mail.outbox
    send()
    assert send_queued() == ["sent"]
    assert mail.outbox[0].to == [EMAIL] and sr.public_id in mail.outbox[0].body
    assert "On hold" in mail.outbox[0].body


def test_holding_a_new_request_sends_one_message_though_it_is_acknowledged_first(
    staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=True):
        services.hold(sr, until=timezone.localdate() + timedelta(days=3), by=staff, public_note="Parts ordered")
    assert send_queued() == ["sent"] and "On hold" in mail.outbox[0].body


@pytest.mark.parametrize("change", ["internal note only", "no consent"])
def test_no_status_message_without_something_public_and_a_consent(
    staff, make_request, with_contact, change, django_capture_on_commit_callbacks
):
    purposes = [Purpose.DEPARTMENT_QUESTIONS] if change == "no consent" else [Purpose.STATUS_UPDATES]
    sr = with_contact(make_request(), *purposes)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "internal note only":
            services.set_status(sr, to=sr.status, by=staff, internal_note="Checked the site")
        else:
            services.set_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Seen")
    send_queued()
    assert not mail.outbox


def test_a_merged_duplicate_tells_its_requester_once(
    staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    duplicate = with_contact(make_request(), Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=True):
        services.merge(duplicate, into=make_request(), by=staff)
    assert send_queued() == ["sent"] and len(mail.outbox) == 1


def test_the_status_form_notifies_the_requester_once(
    client, staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, staff).post(
            reverse("staff:act", args=[sr.public_id, "status"]),
            {"to": Status.IN_PROGRESS, "public_note": "Crew on the way"},
        )
    assert send_queued() == ["sent"] and len(mail.outbox) == 1


def test_staff_ask_a_question_the_requester_consented_to(
    client, staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    sr = with_contact(make_request(), Purpose.DEPARTMENT_QUESTIONS)
    sign_in(client, staff)
    assert 'id="question-form"' in client.get(reverse("staff:request", args=[sr.public_id])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:act", args=[sr.public_id, "question"]),
            {"question": "Is the hole on the road or the pavement?"},
        )
    assert response.status_code == 302
    assert sr.status_changes.get().public_note == "Is the hole on the road or the pavement?"
    assert send_queued() == ["sent"]
    assert mail.outbox[0].to == [EMAIL] and "has a question for you" in mail.outbox[0].body
    assert Notification.objects.get().event == Event.DEPARTMENT_QUESTION


def test_no_question_without_a_consent_to_questions(
    client, staff, make_request, with_contact, django_capture_on_commit_callbacks
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    sign_in(client, staff)
    assert 'id="question-form"' not in client.get(reverse("staff:request", args=[sr.public_id])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:act", args=[sr.public_id, "question"]), {"question": "Where?"}, follow=True
        )
    assert "did not agree to questions" in response.content.decode()
    assert not sr.status_changes.exists() and not Notification.objects.exists()
