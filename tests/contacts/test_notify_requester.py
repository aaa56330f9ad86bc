import logging
import time

import pytest
from django.core import mail
from django.utils import translation

from config.celery import app
from contacts.models import Notification
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.services import notify_requester, send_notification, withdraw_consent
from contacts.sms import SmsError, locmem
from contacts.sms.console import ConsoleSmsBackend
from contacts.sms.twilio import TwilioSmsBackend
from tests.celery_worker import running_worker

from .fake_twilio import fake_twilio

PHONE = "+1 415 555 0177"


@pytest.fixture(autouse=True)
def empty_outboxes():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def twilio(settings):
    settings.CIVIC311_SMS_BACKEND = "contacts.sms.twilio.TwilioSmsBackend"
    settings.CIVIC311_TWILIO_ACCOUNT_SID, settings.CIVIC311_TWILIO_AUTH_TOKEN = "AC123", "secret"
    settings.CIVIC311_TWILIO_FROM = "+15550001111"

    def started(statuses=()):
        server_cm = fake_twilio(statuses)
        server = server_cm.__enter__()
        settings.CIVIC311_TWILIO_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
        servers.append(server_cm)
        return server

    servers = []
    yield started
    for server_cm in servers:
        server_cm.__exit__(None, None, None)


def _send_all(notifications):
    return [send_notification(n.pk) for n in notifications]


@pytest.mark.django_db
def test_a_status_update_is_emailed_in_the_residents_language_with_a_withdraw_link(file_request):
    sr = file_request(email="zh@example.org", language="zh-hans")
    assert _send_all(notify_requester(sr.pk, Event.STATUS_CHANGED)) == ["sent"]
    message = mail.outbox[0]
    assert message.to == ["zh@example.org"]
    with translation.override("zh-hans"):
        stop = translation.gettext("Stop these messages with one click:")
    assert stop != "Stop these messages with one click:" and stop in message.body
    withdraw = f"/track/{sr.tracking_token}/data/withdraw/{Purpose.STATUS_UPDATES}/"
    assert withdraw in message.body and withdraw in message.extra_headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_a_question_goes_by_text_message_when_a_phone_was_given(file_request):
    sr = file_request(phone=PHONE, language="en")
    assert _send_all(notify_requester(sr.pk, Event.DEPARTMENT_QUESTION)) == ["sent"]
    assert locmem.outbox[0]["to"] == PHONE and sr.public_id in locmem.outbox[0]["body"]
    assert not mail.outbox


@pytest.mark.django_db
def test_nothing_is_sent_without_a_consent_for_the_purpose(file_request):
    sr = file_request(email="q@example.org", purposes=frozenset({Purpose.DEPARTMENT_QUESTIONS}))
    assert notify_requester(sr.pk, Event.STATUS_CHANGED) == []


@pytest.mark.django_db
def test_a_withdrawal_stops_a_message_already_queued(file_request):
    sr = file_request(email="late@example.org", phone=PHONE)
    queued = notify_requester(sr.pk, Event.STATUS_CHANGED)
    withdraw_consent(service_request_id=sr.pk, purpose=Purpose.STATUS_UPDATES)
    assert _send_all(queued) == ["skipped", "skipped"]
    assert not mail.outbox and not locmem.outbox


@pytest.mark.django_db
def test_the_twilio_adapter_posts_the_message_and_reports_failures_without_the_number(twilio):
    server = twilio(statuses=[201, 503])
    assert TwilioSmsBackend().send(to=PHONE, body="Hello").startswith("SM")
    assert server.received[0]["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (server.received[0]["To"], server.received[0]["From"], server.received[0]["Body"]) == (
        PHONE,
        "+15550001111",
        "Hello",
    )
    with pytest.raises(SmsError) as error:
        TwilioSmsBackend().send(to=PHONE, body="Hello")
    assert "503" in str(error.value) and "0177" not in str(error.value)


@pytest.fixture
def empty_queue():
    # Messages other tests published (with ids from their own, rolled-back rows) must not reach this worker.
    app.control.purge()
    yield
    app.control.purge()


def _capturing(caplog):
    # Starting a worker sets Celery's logging up afresh, which drops pytest's handler from the root logger and,
    # from the second worker of a session on, leaves the root at WARNING: both are put back for this test.
    logging.getLogger().addHandler(caplog.handler)
    caplog.set_level(logging.INFO)


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_by_the_worker_and_never_leaks_the_number(
    empty_queue, file_request, twilio, published, caplog
):
    server = twilio(statuses=[500, 503])
    with running_worker():
        _capturing(caplog)
        # Questions only: filing then sends nothing, and the one message tried is the department's question.
        sr = file_request(phone=PHONE, language="en", purposes={Purpose.DEPARTMENT_QUESTIONS})
        notify_requester(sr.pk, Event.DEPARTMENT_QUESTION)
        assert _wait_for(lambda: Notification.objects.filter(state="sent").exists())
    notification = Notification.objects.get()
    assert notification.attempts == 3 and [r["To"] for r in server.received] == [PHONE] * 3
    assert published and all("0177" not in body for body in published)
    assert "0177" not in caplog.text and "retried" in caplog.text


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_send_that_keeps_failing_is_given_up_after_the_last_retry(
    empty_queue, file_request, twilio, settings, caplog
):
    settings.CIVIC311_NOTIFY_MAX_RETRIES = 1
    twilio(statuses=[500] * 5)
    with running_worker():
        _capturing(caplog)
        sr = file_request(phone=PHONE, purposes={Purpose.DEPARTMENT_QUESTIONS})
        notify_requester(sr.pk, Event.DEPARTMENT_QUESTION)
        assert _wait_for(lambda: Notification.objects.filter(state="failed").exists())
    assert Notification.objects.get().attempts == 2
    assert "0177" not in caplog.text and "failed for good" in caplog.text


@pytest.mark.django_db
def test_plain_text_messages_are_not_html_escaped(file_request, pothole):
    pothole.name = "Trees & Sidewalks"
    pothole.save()
    sr = file_request(email="amp@example.org", language="en")
    _send_all(notify_requester(sr.pk, Event.STATUS_CHANGED))
    assert "Trees & Sidewalks" in mail.outbox[0].body and "&amp;" not in mail.outbox[0].body


def test_the_console_backend_does_not_print_the_number(capsys):
    ConsoleSmsBackend().send(to=PHONE, body="Request 7K4M-2QXB is now: Closed.")
    printed = capsys.readouterr().out
    assert "7K4M-2QXB" in printed and "555 01" not in printed
