"""Messages to requesters: which event serves which purpose, how a message reads, how it is sent.

Only ``services.send_notification`` calls ``deliver``, after checking the consent is live.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .purposes import Purpose
from .sms import get_sms_backend


class Event(models.TextChoices):
    RECEIVED = "received", _("The request was received")
    STATUS_CHANGED = "status_changed", _("The status of the request changed")
    DEPARTMENT_QUESTION = "department_question", _("The department has a question")
    PERMIT_DECIDED = "permit_decided", _("The permit application was decided")
    PERMIT_NEEDS_INFORMATION = "permit_needs_information", _("The permit application needs more information")


EVENT_PURPOSE = {
    Event.RECEIVED: Purpose.STATUS_UPDATES,
    Event.STATUS_CHANGED: Purpose.STATUS_UPDATES,
    Event.DEPARTMENT_QUESTION: Purpose.DEPARTMENT_QUESTIONS,
    Event.PERMIT_DECIDED: Purpose.PERMIT_DECISION,
    Event.PERMIT_NEEDS_INFORMATION: Purpose.PERMIT_DECISION,
}


class DeliveryFailed(RuntimeError):
    """A provider refused or failed a message. Names the notification and the error class, never an address."""

    def __init__(self, notification_id: int, medium: str, error_class: str):
        super().__init__(f"notification {notification_id} by {medium} failed: {error_class}")


def _language(contact) -> str:
    jurisdiction = contact.service_request.jurisdiction
    for code in (contact.language, jurisdiction.default_language, settings.LANGUAGE_CODE):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return settings.CIVIC311_SITE_URL.rstrip("/") + path


def message_context(notification, contact) -> dict:
    sr = contact.service_request
    # The request keeps only the token's digest; its plain copy lives, encrypted, with the contact.
    token = contact.tracking_token
    return {
        "public_id": sr.public_id,
        "status": sr.get_status_display(),
        "service": sr.service_type.localized_name() if sr.service_type_id else "",
        "tracking_url": _absolute(f"/track/{token}/"),
        "data_url": _absolute(reverse("contacts:data", args=[token])),
        "withdraw_url": _absolute(reverse("contacts:withdraw", args=[token, notification.purpose])),
        "purpose": Purpose(notification.purpose).label,
    }


def deliver(notification, contact) -> None:
    """Send one message in the requester's language. Raises whatever the mail or SMS backend raises."""
    with translation.override(_language(contact)):
        context = message_context(notification, contact)
        name = f"contacts/messages/{notification.event}"
        if notification.medium == Notification.Medium.EMAIL:
            subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
            message = EmailMessage(
                subject=subject,
                body=render_to_string(f"{name}_email.txt", context),
                to=[contact.email],
                headers={"List-Unsubscribe": f"<{context['withdraw_url']}>"},
            )
            message.send(fail_silently=False)
        else:
            get_sms_backend().send(to=contact.phone, body=render_to_string(f"{name}_sms.txt", context).strip())
