"""Area alerts by email: which alerts a new request concerns, and the messages (confirm, alert).

Every message carries its one-click stop link, also as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058),
so a mail program's own "unsubscribe" button ends the alert and erases the address.
"""

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from requests_app.models import ServiceRequest

from .models import AreaAlert
from .notifications import _absolute


def alerts_covering(service_request_id: int) -> list[AreaAlert]:
    """The live, confirmed alerts whose area covers the request or whose point lies within their distance."""
    sr = ServiceRequest.objects.only("jurisdiction_id", "location").get(pk=service_request_id)
    if sr.location is None:
        return []
    live = AreaAlert.objects.live().select_related("jurisdiction", "area").filter(jurisdiction_id=sr.jurisdiction_id)
    in_area = list(live.filter(area__boundary__covers=sr.location))
    near = [
        alert
        for alert in live.filter(point__isnull=False).annotate(distance=Distance("point", sr.location))
        if alert.distance.m <= alert.radius_metres
    ]
    return in_area + near


def _language(alert: AreaAlert) -> str:
    for code in (alert.language, alert.jurisdiction.default_language, settings.LANGUAGE_CODE):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _send(alert: AreaAlert, name: str, context: dict) -> None:
    stop_url = _absolute(reverse("contacts:alert_stop", args=[alert.token]))
    with translation.override(_language(alert)):
        context = {
            **context,
            "stop_url": stop_url,
            "expires_at": alert.expires_at,
            "place": alert.area.localized_name() if alert.area_id else "",
            "radius_metres": alert.radius_metres,
        }
        subject = " ".join(render_to_string(f"contacts/messages/{name}_subject.txt", context).split())
        body = render_to_string(f"contacts/messages/{name}_email.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        to=[alert.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    ).send(fail_silently=False)


def send_confirmation(alert: AreaAlert) -> None:
    _send(
        alert, "area_alert_confirm", {"confirm_url": _absolute(reverse("contacts:alert_confirm", args=[alert.token]))}
    )


def send_alert(alert: AreaAlert, service_request_id: int) -> None:
    sr = ServiceRequest.objects.select_related("service_type").get(pk=service_request_id)
    with translation.override(_language(alert)):
        service = sr.service_type.localized_name()
    _send(
        alert,
        "area_alert",
        {
            "public_id": sr.public_id,
            "service": service,
            "public_url": _absolute(reverse("frontend:public_request", args=[sr.public_id])),
        },
    )
