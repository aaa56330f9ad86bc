"""Every write to personal data goes through here."""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config.after_response import after_response
from config.config_cache import cached
from config.queueing import enqueue
from requests_app.models import Jurisdiction, ServiceRequest
from requests_app.services import withdraw_requesters_words
from requests_app.statuses import Channel

from . import crypto
from .ledger import record_erasures
from .models import AreaAlert, Consent, Contact, Notification
from .notifications import EVENT_PURPOSE, DeliveryFailed, deliver
from .purposes import Purpose
from .wording import APPLICATION_WORDING, CURRENT_WORDING_VERSION, WORDING

logger = logging.getLogger(__name__)

PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "device_id")
# Everything encrypted in a Contact: erased with it and rewritten when the contact key rotates.
ENCRYPTED_FIELDS = (*PERSONAL_FIELDS, "tracking_token")
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 40, "device_id": 200, "language": 10}

# How a consent reaches us on each channel, unless the caller says otherwise.
METHOD_FOR_CHANNEL = {
    Channel.WEB: Consent.Method.WEB_FORM,
    Channel.MOBILE: Consent.Method.MOBILE_APP,
    Channel.OPEN311: Consent.Method.OPEN311_CLIENT,
    Channel.PHONE: Consent.Method.PHONE_CALL,
}


@dataclass(frozen=True)
class ContactDetails:
    """What a resident gave, and what they consented to use it for (``contacts.purposes.Purpose`` values)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    language: str = ""
    purposes: frozenset[str] = frozenset()
    # Which version of contacts.wording the resident read (the channel's usual one when empty)...
    wording_version: str = ""
    # ...or, for consents collected by another application, which one and the words it showed.
    collected_by: str = ""
    wording: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in PERSONAL_FIELDS)


def _cleaned(details: ContactDetails) -> dict[str, str]:
    values = {name: getattr(details, name).strip()[: MAX_LENGTHS[name]] for name in PERSONAL_FIELDS + ("language",)}
    try:
        validate_email(values["email"])
    except ValidationError:
        values["email"] = ""  # an address we can't write to serves no purpose, so it is not kept
    return values


def contact_not_kept_reason(details: ContactDetails) -> str:
    """Why ``save_contact`` would keep none of these details (for a caller's notice, e.g. Open311's
    ``service_notice``), or "" when it would keep them."""
    if details.is_empty:
        return ""
    if not details.purposes:
        return _("Contact details were not stored: no consent to use them for a purpose was given.")
    if not any(_cleaned(details)[name] for name in PERSONAL_FIELDS):
        return _("Contact details were not stored: the email address is not valid.")
    return ""


# One statement upserts the contact and records its consents: atomic on its own (no transaction, or savepoint
# pair inside a caller's, to open and close) and one round trip. A purpose already consented to keeps its first
# live Consent row (the partial unique constraint turns the second into a no-op).
_SAVE_CONTACT_SQL = f"""
WITH contact AS (
    INSERT INTO {Contact._meta.db_table} (service_request_id, {", ".join(ENCRYPTED_FIELDS)}, language, created_at)
    VALUES (%(sr)s, {", ".join(f"%({name})s" for name in ENCRYPTED_FIELDS)}, %(language)s, %(now)s)
    ON CONFLICT (service_request_id) DO UPDATE SET
        {", ".join(f"{name} = EXCLUDED.{name}" for name in ENCRYPTED_FIELDS)}, language = EXCLUDED.language,
        erased_at = NULL
    RETURNING id
), consents AS (
    INSERT INTO {Consent._meta.db_table} (service_request_id, purpose, channel, wording_version, collected_by,
        wording, language, given_at, how_given, ended_by)
    SELECT %(sr)s, purpose, %(channel)s, %(wording_version)s, %(collected_by)s, %(wording)s, %(language)s, %(now)s,
        %(how_given)s, ''
    FROM unnest(%(purposes)s::text[]) AS purpose
    ON CONFLICT DO NOTHING
)
SELECT id FROM contact
"""


def save_contact(
    *,
    service_request_id: int,
    details: ContactDetails,
    tracking_token: str,
    channel: str | None = None,
    how_given: str | None = None,
    wording_version: str | None = None,
    given_at=None,
) -> Contact | None:
    """Keep the contact details a resident gave with a request, only for a purpose they consented to, with the
    request's plain ``tracking_token`` (encrypted) so that messages can carry its private link.

    Records one Consent row per purpose (channel defaults to the request's, how_given to the channel's usual
    way, wording_version to the details' or the current one). Returns None (and stores
    nothing) when no details were given or no purpose was consented to.
    Raises ValueError for an unknown purpose or wording version, or a purpose that wording does not ask about.
    """
    purposes = sorted({Purpose(p) for p in details.purposes})
    if details.collected_by:
        wording_version = APPLICATION_WORDING
    wording_version = wording_version or details.wording_version or CURRENT_WORDING_VERSION
    if wording_version not in WORDING and wording_version != APPLICATION_WORDING:
        raise ValueError(f"unknown consent wording version {wording_version!r}")
    # An application's own words (Open311) are recorded as it sent them; ours must have a sentence per purpose.
    if wording_version != APPLICATION_WORDING and (
        unworded := [p for p in purposes if p not in WORDING[wording_version]]
    ):
        # A consent must point at the sentence the resident read; this wording has none for these purposes.
        raise ValueError(f"wording {wording_version!r} asks no consent for {', '.join(unworded)}")
    values = _cleaned(details)
    if not any(values[name] for name in PERSONAL_FIELDS) or not purposes:
        return None
    values["tracking_token"] = tracking_token
    if channel is None:
        channel = ServiceRequest.objects.values_list("channel", flat=True).get(pk=service_request_id)
    now = given_at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_CONTACT_SQL,
            {
                # Encrypted by the field itself, as the ORM would (empty stays empty: erasure shows in the data).
                **{
                    name: Contact._meta.get_field(name).get_db_prep_save(values[name], connection)
                    for name in ENCRYPTED_FIELDS
                },
                "sr": service_request_id,
                "language": values["language"],
                "now": now,
                "channel": channel,
                "wording_version": wording_version,
                "collected_by": details.collected_by[:120],
                "wording": details.wording,
                "how_given": how_given or METHOD_FOR_CHANNEL.get(channel, Consent.Method.STAFF),
                "purposes": [str(p) for p in purposes],
            },
        )
        (contact_id,) = cursor.fetchone()
    contact = Contact(id=contact_id, service_request_id=service_request_id, created_at=now, erased_at=None, **values)
    contact._state.adding, contact._state.db = False, connection.alias
    return contact


def _end_consents(service_request_ids, *, ended_by: str, now, purpose: str | None = None) -> int:
    consents = Consent.objects.live().filter(service_request_id__in=service_request_ids)
    if purpose is not None:
        consents = consents.filter(purpose=purpose)
    Notification.objects.filter(
        service_request_id__in=service_request_ids,
        state=Notification.State.PENDING,
        **({"purpose": purpose} if purpose else {}),
    ).update(state=Notification.State.SKIPPED)
    return consents.update(withdrawn_at=now, ended_by=ended_by)


def _scrub(contacts, now) -> int:
    record_erasures(contacts.values_list("service_request_id", flat=True))
    return contacts.update(erased_at=now, **{name: "" for name in ENCRYPTED_FIELDS})


@transaction.atomic
def erase_contact(*, service_request_id: int, ended_by: str = Consent.Ending.ERASED) -> bool:
    """Scrub the person from a request, keeping the request itself as the public record.

    Every live consent ends with it. Returns whether there was anything to erase.
    """
    contact = Contact.objects.select_for_update().filter(service_request_id=service_request_id).first()
    if contact is None or contact.erased_at:
        return False
    now = timezone.now()
    _end_consents([service_request_id], ended_by=ended_by, now=now)
    _scrub(Contact.objects.filter(pk=contact.pk), now)
    return True


@transaction.atomic
def erase_requester(service_request_id: int, *, with_words: bool = False, contact: bool = True) -> None:
    """The requester's "erase": their contact, and if they ask, their words and photos too (recorded in the
    erasure ledger, so a restored backup brings neither back). A requester who left no contact, or wants to keep
    their updates, withdraws only their words (``contact=False``)."""
    if contact:
        erase_contact(service_request_id=service_request_id)
    if with_words:
        withdraw_requesters_words(service_request_id)
        record_erasures([service_request_id], words=True)


@transaction.atomic
def withdraw_consent(*, service_request_id: int, purpose: str | None = None) -> int:
    """End the live consent for ``purpose`` (every one if None), at once. Returns how many ended.

    With no live consent left the contact has no purpose, so it is erased too. Raises ValueError for an
    unknown purpose.
    """
    purpose = Purpose(purpose) if purpose is not None else None
    # Lock the contact first so a notification being sent can't race the withdrawal.
    list(Contact.objects.select_for_update().filter(service_request_id=service_request_id))
    now = timezone.now()
    ended = _end_consents([service_request_id], ended_by=Consent.Ending.WITHDRAWN, now=now, purpose=purpose)
    if not Consent.objects.live().filter(service_request_id=service_request_id).exists():
        _scrub(Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True), now)
    return ended


def erase_expired_contacts(*, now=None) -> int:
    """Erase the contacts of requests closed longer than their jurisdiction's retention. Returns how many."""
    now = now or timezone.now()
    erased = 0
    for jurisdiction_id, days in Jurisdiction.objects.values_list("pk", "contact_retention_days"):
        with transaction.atomic():
            expired = (
                Contact.objects.select_for_update(of=("self",))
                .filter(
                    erased_at__isnull=True,
                    service_request__jurisdiction_id=jurisdiction_id,
                    service_request__closed_at__lt=now - timedelta(days=days),
                )
                .exclude(keep_until__gte=now.date())
            )
            request_ids = list(expired.values_list("service_request_id", flat=True))
            if request_ids:
                _end_consents(request_ids, ended_by=Consent.Ending.RETENTION, now=now)
                erased += _scrub(Contact.objects.filter(service_request_id__in=request_ids), now)
    if erased:
        logger.info("retention: erased %d contacts", erased)
    return erased


def keep_contact_until(*, service_request_id: int, day) -> int:
    """Keep a request's contact at least until ``day`` (a permit's end plus the city's period), whatever the
    request's closing date says. Returns how many contacts were marked (0 or 1)."""
    return Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True).update(keep_until=day)


def reencrypt_contacts(*, progress=None, batch_size: int = 500) -> int:
    """Rewrite every stored contact value with the newest key (the first of CIVIC311_CONTACT_KEYS)."""
    ids = list(Contact.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            rows = list(Contact.objects.select_for_update().filter(pk__in=batch))
            # Reading decrypts with any key, saving encrypts with the first one.
            Contact.objects.bulk_update(rows, ENCRYPTED_FIELDS)
        if progress:
            progress.advance(len(batch))
    return len(ids)


@transaction.atomic
def notify_requester(service_request_id: int, event: str, *, coalesce: bool = False) -> list[Notification]:
    """Queue a message about ``event`` to the requester, by each medium they gave, under a live consent; it is
    sent by a task once the transaction commits.

    With ``coalesce`` nothing is queued while a message of the same event still waits to be sent. Returns the
    queued notifications (none without a consent for the event's purpose). Raises KeyError for an unknown event.
    """
    purpose = EVENT_PURPOSE[event]
    if not Consent.objects.live().filter(service_request_id=service_request_id, purpose=purpose).exists():
        return []
    waiting = Notification.objects.filter(
        service_request_id=service_request_id, event=event, state=Notification.State.PENDING
    )
    if coalesce and waiting.exists():
        return []
    contact = Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True).first()
    if contact is None:
        return []
    media = [
        m
        for m, address in ((Notification.Medium.EMAIL, contact.email), (Notification.Medium.SMS, contact.phone))
        if address
    ]
    notifications = Notification.objects.bulk_create(
        [
            Notification(service_request_id=service_request_id, event=event, purpose=purpose, medium=medium)
            for medium in media
        ]
    )
    from .tasks import send_notification_task  # tasks import this module

    for notification in notifications:
        # The id only: the address is read from the encrypted row when the task runs. Published once the change
        # commits; an unreachable broker leaves the row pending rather than failing the committed change.
        transaction.on_commit(partial(enqueue, send_notification_task, notification.pk))
    return notifications


def send_notification(notification_id: int) -> str:
    """Send one queued notification if its consent is still live. Returns its state.

    Raises DeliveryFailed (naming the notification, never the address) when the provider fails; the row stays
    pending for a retry.
    """
    state, failure, medium = _attempt(notification_id)
    if failure:
        raise DeliveryFailed(notification_id, medium, failure)
    return state


@transaction.atomic
def _attempt(notification_id: int) -> tuple[str, str, str]:
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None:  # its request was deleted after the message was queued
        return "missing", "", ""
    if notification.state != Notification.State.PENDING:
        return notification.state, "", notification.medium
    contact = (
        Contact.objects.select_for_update()
        .select_related("service_request__jurisdiction")
        .filter(service_request_id=notification.service_request_id, erased_at__isnull=True)
        .first()
    )
    consented = (
        Consent.objects.live()
        .filter(service_request_id=notification.service_request_id, purpose=notification.purpose)
        .exists()
    )
    address = getattr(contact, "email" if notification.medium == Notification.Medium.EMAIL else "phone", "")
    if contact is None or not consented or not address:
        notification.state = Notification.State.SKIPPED
        notification.save(update_fields=["state"])
        return notification.state, "", notification.medium
    # Sent while holding the locks: a withdrawal arriving now waits, so no message leaves after it took effect.
    notification.attempts += 1
    failure = ""
    try:
        deliver(notification, contact)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried; only its class is kept
        failure = type(exc).__name__
    if failure:
        notification.save(update_fields=["attempts"])
        return notification.state, failure, notification.medium
    notification.state, notification.sent_at = Notification.State.SENT, timezone.now()
    notification.save(update_fields=["attempts", "state", "sent_at"])
    return notification.state, "", notification.medium


def give_up_notification(notification_id: int) -> None:
    """Mark a notification failed after its last retry."""
    Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.FAILED
    )


def contact_for_handover(*, service_request_id: int, fields) -> dict[str, str]:
    """The contact details, among ``fields``, that may go to the system doing the work for the department that
    handles the request: only under a live consent that the department may contact the resident.

    Returns {} without that consent or without stored details; never a field not asked for.
    """
    wanted = [name for name in fields if name in PERSONAL_FIELDS]
    if (
        not wanted
        or not Consent.objects.live()
        .filter(service_request_id=service_request_id, purpose=Purpose.DEPARTMENT_QUESTIONS)
        .exists()
    ):
        return {}
    contact = Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True).first()
    if contact is None:
        return {}
    return {name: getattr(contact, name) for name in wanted if getattr(contact, name)}


# How long the "send me updates" link in the reply to an emailed request stays good.
EMAIL_UPDATES_LINK_DAYS = 30


def email_updates_link(*, service_request_id: int, email: str, language: str, tracking_token: str) -> str:
    """The path of the link asking whether to send updates to the address a request was emailed from.

    The address, and the tracking token the updates will link to, are sealed into the link (encrypted with the
    contact keys) instead of being stored: until the resident says yes, we keep nothing about them.
    """
    from django.urls import reverse

    sealed = crypto.encrypt(json.dumps({"r": service_request_id, "e": email, "l": language, "t": tracking_token}))
    return reverse("contacts:email_updates", args=[sealed])


class InvalidLink(ValueError):
    """A sealed link that is damaged, forged or too old."""


def unseal_email_updates_link(sealed: str) -> dict:
    """{"service_request_id", "email", "language", "tracking_token"} of a link made by email_updates_link.

    Raises InvalidLink (also for a link sealed without a tracking token: updates could not link to the request).
    """
    try:
        data = json.loads(crypto.decrypt(sealed, ttl=EMAIL_UPDATES_LINK_DAYS * 86400))
        return {
            "service_request_id": int(data["r"]),
            "email": str(data["e"]),
            "language": str(data["l"]),
            "tracking_token": str(data["t"]),
        }
    except (crypto.ContactKeyError, ValueError, KeyError, TypeError):
        raise InvalidLink from None


def accept_email_updates(sealed: str) -> Contact | None:
    """The resident said yes to the question in our reply: keep their address for status updates.

    Raises InvalidLink. Returns None if the request no longer exists.
    """
    from .wording import EMAIL_REPLY_WORDING_VERSION

    offer = unseal_email_updates_link(sealed)
    if not ServiceRequest.objects.filter(pk=offer["service_request_id"]).exists():
        return None
    return save_contact(
        service_request_id=offer["service_request_id"],
        details=ContactDetails(
            email=offer["email"], language=offer["language"], purposes=frozenset({Purpose.STATUS_UPDATES})
        ),
        tracking_token=offer["tracking_token"],
        channel=Channel.EMAIL,
        how_given=Consent.Method.EMAIL_REPLY,
        wording_version=EMAIL_REPLY_WORDING_VERSION,
    )


# ---- Area alerts ------------------------------------------------------------------------------------------------

ALERT_MONTHS = (1, 3, 6, 12)
DEFAULT_ALERT_MONTHS = 6
UNCONFIRMED_ALERT_DAYS = 7
ENDED_ALERT_KEPT_DAYS = 365


@transaction.atomic
def subscribe_to_area_alerts(
    *,
    jurisdiction,
    email: str,
    language: str = "",
    months: int = DEFAULT_ALERT_MONTHS,
    area=None,
    point=None,
    radius_metres: int | None = None,
) -> AreaAlert:
    """Ask for alerts of new requests in ``area`` or within ``radius_metres`` of ``point``; nothing is sent
    before the resident confirms by the link mailed to them.

    Raises ValueError (with a message for the resident) for an invalid address, duration or place.
    """
    email = email.strip()[: MAX_LENGTHS["email"]]
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(_("Enter a valid email address.")) from None
    if months not in ALERT_MONTHS:
        raise ValueError(_("Choose how long the alert should last."))
    if area is None and (point is None or not radius_metres):
        raise ValueError(_("Choose an area, or a point and a distance."))
    if area is not None and area.layer.jurisdiction_id != jurisdiction.pk:
        raise ValueError(_("Choose an area of this city."))
    now = timezone.now()
    alert = AreaAlert.objects.create(
        jurisdiction=jurisdiction,
        email=email,
        language=language[:10],
        area=area,
        point=None if area is not None else point,
        radius_metres=None if area is not None else radius_metres,
        created_at=now,
        expires_at=now + timedelta(days=round(months * 30.44)),
    )
    from .tasks import send_area_alert_confirmation_task

    # Published once the alert commits; an unreachable broker must not turn the kept wish into an error page.
    transaction.on_commit(partial(enqueue, send_area_alert_confirmation_task, alert.pk))
    return alert


def _alert_by_token(token: str) -> AreaAlert | None:
    return AreaAlert.objects.select_for_update().filter(token=token).first() if token else None


@transaction.atomic
def confirm_area_alert(token: str) -> AreaAlert | None:
    """The second opt-in: the resident confirmed by the link. Returns None for an unknown or ended alert."""
    alert = _alert_by_token(token)
    if alert is None or alert.ended_at is not None:
        return None
    if alert.confirmed_at is None:
        alert.confirmed_at = timezone.now()
        alert.save(update_fields=["confirmed_at"])
    return alert


def _end_alerts(alerts, *, ended_by: str, now) -> int:
    return alerts.update(email="", ended_at=now, ended_by=ended_by)


@transaction.atomic
def stop_area_alert(token: str) -> bool:
    """End an alert at once and erase its address. Returns whether there was a live alert to stop."""
    alert = _alert_by_token(token)
    if alert is None or alert.ended_at is not None:
        return False
    return bool(
        _end_alerts(AreaAlert.objects.filter(pk=alert.pk), ended_by=AreaAlert.Ending.STOPPED, now=timezone.now())
    )


@transaction.atomic
def end_expired_area_alerts(*, now=None) -> int:
    """End (and erase the address of) alerts whose time ran out or that were never confirmed; forget alerts
    ended long ago. Returns how many ended."""
    now = now or timezone.now()
    running = AreaAlert.objects.filter(ended_at__isnull=True)
    ended = _end_alerts(running.filter(expires_at__lte=now), ended_by=AreaAlert.Ending.EXPIRED, now=now)
    ended += _end_alerts(
        running.filter(confirmed_at__isnull=True, created_at__lte=now - timedelta(days=UNCONFIRMED_ALERT_DAYS)),
        ended_by=AreaAlert.Ending.UNCONFIRMED,
        now=now,
    )
    AreaAlert.objects.filter(ended_at__lte=now - timedelta(days=ENDED_ALERT_KEPT_DAYS)).delete()
    return ended


def queue_area_alerts(service_request) -> None:
    """After the filing commits, tell the residents whose alerts cover the new request. A city where no alert
    is live (most filings) queues nothing: the answer is kept per process until an alert changes."""
    from .tasks import send_area_alerts_task

    if service_request.location is None:
        return
    # In a tuple: cached() keeps no None, and "no live alert" (None) is the answer most worth keeping.
    (last_expiry,) = cached(
        ("area_alerts_until", service_request.jurisdiction_id),
        lambda: (
            AreaAlert.objects.live()
            .filter(jurisdiction_id=service_request.jurisdiction_id)
            .aggregate(until=Max("expires_at"))["until"],
        ),
    )
    if last_expiry is None or last_expiry <= timezone.now():
        return
    service_request_id = service_request.pk

    transaction.on_commit(lambda: after_response(partial(enqueue, send_area_alerts_task, service_request_id)))


def send_area_alerts(service_request_id: int) -> int:
    """Mail every live alert that covers the request (its area, or its point within the distance).

    Returns how many were sent. A failure to send one alert does not stop the others.
    """
    from .alerts import alerts_covering, send_alert

    sent = 0
    for alert in alerts_covering(service_request_id):
        try:
            send_alert(alert, service_request_id)
            sent += 1
        except Exception:  # noqa: BLE001 - one bad address must not cost the others their alert
            logger.warning(
                "area alert %s could not be sent for request %s", alert.pk, service_request_id, exc_info=True
            )
    return sent
