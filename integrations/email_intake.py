"""Mail from residents to a jurisdiction's intake address becomes a request; a reply in its thread joins it.

Both ways in (a provider's inbound webhook through django-anymail, and ``manage.py read_mailbox``) hand an
``AnymailInboundMessage`` to ``receive_email``. Nothing about the sender is stored: the acknowledgement goes
straight back to the address the mail came from and asks, with a link, whether to send updates; only a "yes"
there stores the address, under that consent (contacts.services.accept_email_updates).
"""

import html
import logging
import re
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from contacts.services import email_updates_link
from requests_app.exceptions import InvalidSubmission
from requests_app.models import DESCRIPTION_MAX_LENGTH, ServiceRequest
from requests_app.photos import InvalidPhoto, attach_photo, prepare_photo
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Channel

from .models import IntakeAddress, MailThreadMessage

logger = logging.getLogger(__name__)

# FixMyStreet's mark for a report with no point on the map; routing leaves such a request to triage's judgement.
NOT_PINPOINTED = "#NOTPINPOINTED#"
MAX_PHOTOS = 5
# Precedence values of bulk and automatic mail (RFC 3834 section 2, and what list servers send).
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response")
REPORT_TYPES = {
    "multipart/report",
    "message/delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
}
SYSTEM_SENDERS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}
# The public id in brackets, as our acknowledgement's subject carries it: "Re: Pothole [7K4M-2QXB]".
REFERENCE = re.compile(r"\[\s*(?:Ref[.:]?\s*)?([0-9A-Z]{4}-[0-9A-Z]{4})\s*\]", re.IGNORECASE)
QUOTE_HEADER = re.compile(
    r"^(On .{0,200}wrote:|-----\s*Original Message\s*-----|在.{0,200}写道[:：])\s*$", re.MULTILINE | re.IGNORECASE
)


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # "filed", "added", "ignored"
    reason: str = ""
    service_request: ServiceRequest | None = None


def is_automatic(message) -> str:
    """Why a message is a bounce, an auto-reply or bulk mail ("" if a person wrote it): RFC 3834's
    Auto-Submitted, Precedence, the auto-responders' own headers, delivery reports, system senders."""
    auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if (message.get("Precedence") or "").strip().lower() in AUTOMATIC_PRECEDENCE:
        return "precedence"
    if any(message.get(name) for name in AUTOREPLY_HEADERS):
        return "auto-reply header"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing list"
    if any(part.get_content_type() in REPORT_TYPES for part in message.walk()):
        return "delivery report"
    if (message.get("Return-Path") or "").strip() == "<>":
        return "null sender"
    sender = message.from_email
    if sender is None or isinstance(sender, list):
        return "no single sender"
    if sender.addr_spec.split("@")[0].lower() in SYSTEM_SENDERS:
        return "system sender"
    return ""


def _message_ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _intake_address_for(message) -> IntakeAddress | None:
    candidates = [message.envelope_recipient or ""]
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        candidates += [a.addr_spec for a in message.get_address_header(header)]
    wanted = {c.strip().lower() for c in candidates if c}
    return (
        (
            IntakeAddress.objects.select_related("jurisdiction", "service_type")
            .annotate(lower=Lower("address"))
            .filter(active=True, lower__in=wanted)
            .first()
        )
        if wanted
        else None
    )


def _body_text(message) -> str:
    text = message.text
    if not text and message.html:
        text = html.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", message.html)))
    text = (text or "").replace("\r\n", "\n")
    # A reply quotes the whole thread below it: keep what is new.
    quote = QUOTE_HEADER.search(text)
    if quote:
        text = text[: quote.start()]
    lines = [line for line in text.split("\n") if not line.startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _photos(message) -> tuple[list, int]:
    photos, refused = [], 0
    for part in message.walk():
        if not part.get_content_type().startswith("image/") or not (part.is_attachment() or part.is_inline()):
            continue
        if len(photos) >= MAX_PHOTOS:
            refused += 1
            continue
        try:
            photos.append(prepare_photo(ContentFile(part.get_content_bytes(), name="photo")))
        except InvalidPhoto:
            refused += 1
    return photos, refused


def _thread_request(message, intake: IntakeAddress) -> ServiceRequest | None:
    ids = _message_ids(message.get("In-Reply-To")) + _message_ids(message.get("References"))
    if ids:
        found = (
            MailThreadMessage.objects.filter(message_id__in=ids, service_request__jurisdiction=intake.jurisdiction)
            .select_related("service_request")
            .first()
        )
        if found:
            return found.service_request
    for match in REFERENCE.finditer(message.subject or ""):
        sr = ServiceRequest.objects.filter(jurisdiction=intake.jurisdiction, public_id__iexact=match.group(1)).first()
        if sr:
            return sr
    return None


def receive_email(message) -> IntakeResult:
    """File a request from a resident's mail, or add a reply to the request of its thread.

    Bounces, auto-replies and bulk mail, mail to no intake address and a message already received (the same
    Message-ID) create nothing. Never raises for what a message contains.
    """
    automatic = is_automatic(message)
    if automatic:
        return IntakeResult("ignored", automatic)
    intake = _intake_address_for(message)
    if intake is None:
        return IntakeResult("ignored", "not an intake address")
    message_id = (_message_ids(message.get("Message-ID")) or [make_msgid(domain="civic311.invalid")])[0]
    if MailThreadMessage.objects.filter(message_id=message_id).exists():
        return IntakeResult("ignored", "already received")
    text = _body_text(message)
    photos, refused = _photos(message)
    try:
        with transaction.atomic():
            sr = _thread_request(message, intake)
            if sr is not None:
                _add_to_request(sr, text, photos, refused)
                MailThreadMessage.objects.create(service_request=sr, message_id=message_id)
                return IntakeResult("added", service_request=sr)
            sr = _file(intake, message.subject or "", text, photos, refused)
            MailThreadMessage.objects.create(service_request=sr, message_id=message_id)
    except IntegrityError:
        return IntakeResult("ignored", "already received")  # the same message, received twice at once
    except InvalidSubmission:
        logger.warning("intake address %s: its service type is not accepting requests", intake.pk)
        return IntakeResult("ignored", "service not accepting requests")
    _acknowledge(message, sr, message_id)
    return IntakeResult("filed", service_request=sr)


def _file(intake: IntakeAddress, subject: str, text: str, photos: list, refused: int) -> ServiceRequest:
    description = "\n\n".join(part for part in (subject.strip(), text) if part)[:DESCRIPTION_MAX_LENGTH]
    sr = submit_request(
        Submission(
            service_type=intake.service_type,
            address_id=NOT_PINPOINTED,
            description=description,
            channel=Channel.EMAIL,
            photos=photos,
        )
    )
    if refused:
        with translation.override(intake.jurisdiction.default_language):
            change_status(
                sr, to=sr.status, internal_note=_("%(n)d attachments were not photos we could read.") % {"n": refused}
            )
    return sr


def _add_to_request(sr: ServiceRequest, text: str, photos: list, refused: int) -> None:
    for photo in photos:
        attach_photo(sr, photo)
    with translation.override(sr.jurisdiction.default_language):
        note = _("The resident wrote again by email:") + "\n" + (text or _("(no text)"))
        if photos:
            note += "\n" + _("%(n)d photos added.") % {"n": len(photos)}
        if refused:
            note += "\n" + _("%(n)d attachments were not photos we could read.") % {"n": refused}
    # Staff only: what the resident writes may name them, and it was not written for the public.
    change_status(sr, to=sr.status, internal_note=note[:4000])


def _acknowledge(message, sr: ServiceRequest, their_message_id: str) -> None:
    """Reply with the tracking link and the question whether to send updates. The address is used for this
    one message and not stored."""
    sender = message.from_email.addr_spec
    language = sr.jurisdiction.default_language
    with translation.override(language):
        base = settings.CIVIC311_SITE_URL.rstrip("/")
        context = {
            "public_id": sr.public_id,
            "tracking_url": f"{base}/track/{sr.tracking_token}/",
            "updates_url": base
            + email_updates_link(
                service_request_id=sr.pk, email=sender, language=language, tracking_token=sr.tracking_token
            ),
            "service": sr.service_type.localized_name(),
        }
        subject = _("Re: %(subject)s [%(ref)s]") % {
            "subject": (message.subject or "").strip()[:150],
            "ref": sr.public_id,
        }
        body = render_to_string("integrations/email_received.txt", context)
    our_id = make_msgid(domain=settings.CIVIC311_SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or None)
    reply = EmailMessage(
        subject=subject,
        body=body,
        to=[sender],
        headers={
            "Message-ID": our_id,
            "In-Reply-To": their_message_id,
            "References": their_message_id,
            # RFC 3834: an automatic answer, so that auto-responders do not answer it back.
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
        },
    )
    MailThreadMessage.objects.create(service_request=sr, message_id=our_id)
    try:
        reply.send(fail_silently=False)
    except Exception:  # noqa: BLE001 - the request is filed; a lost acknowledgement must not undo that
        logger.warning("could not send the acknowledgement of request %s", sr.pk, exc_info=True)
