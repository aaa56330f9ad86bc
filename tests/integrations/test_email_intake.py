"""Residents write to a jurisdiction's address: real MIME messages in, requests (or additions to them) out."""

import base64
import io
import json
import mailbox
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from anymail.inbound import AnymailInboundMessage
from django.core import mail
from django.core.management import call_command
from PIL import Image

from contacts.models import Consent, Contact
from contacts.purposes import Purpose
from integrations.email_intake import receive_email
from integrations.models import IntakeAddress
from requests_app.models import Photo, ServiceRequest, StatusChange
from requests_app.statuses import Channel, RoutingState
from routing.config import ensure_routing_settings
from routing.router import route_request

pytestmark = pytest.mark.django_db

RESIDENT = "ann.resident@example.org"


@pytest.fixture
def general(jurisdiction):
    from tests.factories import ServiceTypeFactory

    return ServiceTypeFactory(jurisdiction=jurisdiction, code="general", name="Something else")


@pytest.fixture
def intake(jurisdiction, general):
    return IntakeAddress.objects.create(jurisdiction=jurisdiction, address="311@sf.example", service_type=general)


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def resident_mail(
    *,
    subject="Broken street light on Oak St",
    text="The light at Oak and 3rd is out.",
    html=None,
    to="311@sf.example",
    sender=f"Ann Resident <{RESIDENT}>",
    headers=None,
    attachments=(),
) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
    elif html:
        message.set_content(html, subtype="html")
    for content, maintype, subtype, filename in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def take_in(message: EmailMessage):
    return receive_email(AnymailInboundMessage.parse_raw_mime_bytes(message.as_bytes()))


def test_a_multipart_mail_becomes_a_request_and_the_reply_gives_the_tracking_link_and_asks_about_updates(intake):
    result = take_in(resident_mail(html="<p>The light at <b>Oak</b> and 3rd is out.</p>"))

    sr = result.service_request
    assert result.outcome == "filed"
    assert sr.channel == Channel.EMAIL and sr.service_type == intake.service_type
    assert sr.description == "Broken street light on Oak St\n\nThe light at Oak and 3rd is out."
    assert not Contact.objects.filter(service_request_id=sr.pk).exists()  # nothing kept before a yes
    (reply,) = mail.outbox
    assert reply.to == [RESIDENT] and f"[{sr.public_id}]" in reply.subject
    assert f"/track/{sr.tracking_token}/" in reply.body and "/email-updates/" in reply.body
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"


def test_an_html_only_mail_is_read_as_text(intake):
    sr = take_in(resident_mail(text=None, html="<div>Graffiti on the&nbsp;library<br>wall</div>")).service_request

    assert "Graffiti on the\xa0library\nwall" in sr.description
    assert "<" not in sr.description


def test_photos_attached_go_through_the_photo_pipeline_and_other_files_are_noted(intake):
    message = resident_mail(
        attachments=[
            (jpeg_bytes(), "image", "jpeg", "IMG_0001 Ann's house.jpg"),
            (b"%PDF-1.4 not a photo", "application", "pdf", "letter.pdf"),
            (b"not really a png", "image", "png", "broken.png"),
        ]
    )
    sr = take_in(message).service_request

    (photo,) = Photo.objects.filter(service_request=sr)
    assert photo.original.name.endswith(".jpg") and "Ann" not in photo.original.name
    with Image.open(photo.original) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert StatusChange.objects.filter(service_request=sr, internal_note__contains="1 attachments").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"List-Id": "<neighbours.lists.example.org>"},
    ],
    ids=lambda h: next(iter(h)),
)
def test_auto_replies_and_bulk_mail_create_nothing(intake, headers):
    result = take_in(resident_mail(subject="Out of office", headers=headers))

    assert result.outcome == "ignored"
    assert not ServiceRequest.objects.exists() and mail.outbox == []


DSN = b"""From: Mail Delivery System <MAILER-DAEMON@mail.example.org>
To: 311@sf.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mail.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.org. Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org

Final-Recipient: rfc822; gone@example.org
Action: failed
Status: 5.1.1

--BOUNDARY--
"""


def test_a_bounce_creates_nothing(intake):
    result = receive_email(AnymailInboundMessage.parse_raw_mime_bytes(DSN))

    assert (result.outcome, result.reason) == ("ignored", "delivery report")
    assert not ServiceRequest.objects.exists() and mail.outbox == []


def test_a_bounce_from_a_system_sender_without_a_report_part_creates_nothing(intake):
    message = resident_mail(sender="MAILER-DAEMON@mail.example.org", subject="Delivery failure")

    assert take_in(message).reason == "system sender"


def test_a_reply_in_the_thread_joins_its_request_instead_of_filing_another(intake):
    first = take_in(resident_mail()).service_request
    ours = mail.outbox[0].extra_headers["Message-ID"]
    reply = resident_mail(
        subject=f"Re: {mail.outbox[0].subject}",
        text="It is still out.\n\nOn Monday you wrote:\n> Thank you",
        headers={"In-Reply-To": ours, "References": ours},
        attachments=[(jpeg_bytes(), "image", "jpeg", "light.jpg")],
    )

    result = take_in(reply)

    assert result.outcome == "added" and result.service_request == first
    assert ServiceRequest.objects.count() == 1 and len(mail.outbox) == 1
    note = StatusChange.objects.filter(service_request=first).latest("id").internal_note
    assert "It is still out." in note and "Thank you" not in note
    assert Photo.objects.filter(service_request=first).count() == 1


def test_the_reference_in_the_subject_joins_a_reply_that_lost_its_thread_headers(intake):
    first = take_in(resident_mail()).service_request

    result = take_in(resident_mail(subject=f"About [{first.public_id}]", text="Any news?"))

    assert result.outcome == "added" and ServiceRequest.objects.count() == 1


def test_the_same_message_twice_files_once(intake):
    message = resident_mail()
    take_in(message)

    assert take_in(message).outcome == "ignored"
    assert ServiceRequest.objects.count() == 1


def test_mail_to_an_address_that_is_not_an_intake_address_creates_nothing(intake):
    assert take_in(resident_mail(to="someone@sf.example")).outcome == "ignored"


def test_an_emailed_request_of_the_general_type_waits_in_triage(intake, jurisdiction, general):
    settings = ensure_routing_settings(jurisdiction)
    settings.general_type_codes = [general.code]
    settings.save()
    sr = take_in(resident_mail()).service_request

    route_request(sr.pk)

    sr.refresh_from_db()
    assert sr.routing_state == RoutingState.TRIAGE


def test_the_sender_is_kept_only_after_saying_yes_on_the_link_and_then_for_updates_only(intake, client):
    sr = take_in(resident_mail()).service_request
    link = next(line for line in mail.outbox[0].body.splitlines() if "/email-updates/" in line)
    path = link[link.index("/email-updates/") :]

    assert client.get(path).status_code == 200
    assert not Contact.objects.filter(service_request_id=sr.pk).exists()  # a mail scanner's GET stores nothing

    assert client.post(path).status_code == 200
    contact = Contact.objects.get(service_request_id=sr.pk)
    assert contact.email == RESIDENT and not contact.first_name
    consent = Consent.objects.get(service_request_id=sr.pk)
    assert (consent.purpose, consent.how_given) == (Purpose.STATUS_UPDATES, Consent.Method.EMAIL_REPLY)


def test_a_damaged_updates_link_stores_nothing(intake, client):
    take_in(resident_mail())
    link = next(line for line in mail.outbox[0].body.splitlines() if "/email-updates/" in line)
    path = link[link.index("/email-updates/") :].rstrip("/")[:-4] + "AAAA/"

    assert client.post(path).status_code == 404
    assert not Contact.objects.exists()


def test_the_providers_inbound_webhook_files_the_mail_and_refuses_a_caller_without_the_secret(intake, client):
    message = resident_mail()
    form = {"email": message.as_string(), "envelope": json.dumps({"to": ["311@sf.example"], "from": RESIDENT})}
    auth = "Basic " + base64.b64encode(b"provider:inbound-test-secret").decode()

    refused = client.post(
        "/anymail/sendgrid/inbound/", form, HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"provider:wrong").decode()
    )
    assert refused.status_code == 400 and not ServiceRequest.objects.exists()

    assert client.post("/anymail/sendgrid/inbound/", form, HTTP_AUTHORIZATION=auth).status_code == 200
    assert ServiceRequest.objects.get().channel == Channel.EMAIL


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_the_mailbox_command_takes_a_mailbox_in_and_a_second_run_adds_nothing(intake, tmp_path, kind, capsys):
    path = tmp_path / "inbox"
    box = mailbox.mbox(path) if kind == "mbox" else mailbox.Maildir(path)
    box.add(resident_mail().as_bytes())
    box.add(resident_mail(subject="Noise", text="Loud music every night").as_bytes())
    box.add(resident_mail(subject="Auto: away", headers={"Auto-Submitted": "auto-replied"}).as_bytes())
    box.close()

    call_command("read_mailbox", str(path))
    call_command("read_mailbox", str(path))

    assert ServiceRequest.objects.count() == 2
    out = capsys.readouterr().out.splitlines()
    assert out == ["filed: 2, ignored: 1", "ignored: 3"]


def test_the_intake_address_matches_whatever_its_case_and_a_closed_service_files_nothing(intake, general):
    assert take_in(resident_mail(to="311@SF.Example")).outcome == "filed"

    general.active = False
    general.save()
    result = take_in(resident_mail(subject="Another one"))
    assert (result.outcome, result.reason) == ("ignored", "service not accepting requests")
    assert ServiceRequest.objects.count() == 1
