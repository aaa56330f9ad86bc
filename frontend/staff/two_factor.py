"""The second factor of staff accounts (django-otp, TOTP): who needs it, a browser trusted for one shift, what a
throttled code is told, and an operator's reset of a lost authenticator."""

import logging
import math

from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

TRUSTED_COOKIE = "civic311_trusted_browser"
_TRUSTED_SALT = "civic311.staff.trusted-browser"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def refusal_for(device: TOTPDevice) -> str:
    """Why the device takes no code now ('' if it does): after wrong codes django-otp makes each next try wait."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return ""
    if (details or {}).get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and details.get("locked_until"):
        seconds = max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
        return ngettext(
            "Too many wrong codes. Try again in %(seconds)d second.",
            "Too many wrong codes. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return _("This authenticator takes no codes now. Ask an operator to reset it.")


def check_code(device: TOTPDevice, token: str) -> str:
    """Verify a code; returns '' when it is right, else the message for the person (wrong, or throttled)."""
    refusal = refusal_for(device)
    if refusal:
        return refusal
    if device.verify_token(token.strip()):
        return ""
    return refusal_for(device) or _("That authenticator code is not right.")


def trusted_browser_value(user, device: TOTPDevice) -> str:
    """A signed cookie value naming the user and device, so this browser skips the code until the shift ends."""
    return signing.dumps({"u": user.pk, "d": device.persistent_id}, salt=_TRUSTED_SALT)


def trusted_device(request, user) -> TOTPDevice | None:
    """The device this browser was trusted with for the user, if the shift is not over and the device is kept."""
    value = request.COOKIES.get(TRUSTED_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_TRUSTED_SALT, max_age=settings.STAFF_TRUSTED_BROWSER_HOURS * 3600)
    except signing.BadSignature:
        return None
    device = confirmed_device(user)
    if data.get("u") != user.pk or device is None or device.persistent_id != data.get("d"):
        return None
    return device


def remember_browser(response, user, device: TOTPDevice):
    response.set_cookie(
        TRUSTED_COOKIE,
        trusted_browser_value(user, device),
        max_age=int(settings.STAFF_TRUSTED_BROWSER_HOURS * 3600),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/staff/",
    )


@transaction.atomic
def reset_two_factor(user, *, by) -> int:
    """Remove a staff member's authenticators (a lost phone), so they set up a new one at their next sign-in.

    Writes an admin log entry naming who reset whose device; returns how many devices were removed. Any
    browser trusted with a removed device stops being trusted, as the cookie names the device.
    """
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
    if devices:
        # Django's admin history, where operators already read who changed what.
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=devices,
            action_flag=DELETION,
            change_message=_("Two-factor reset for %(user)s") % {"user": user.get_username()},
        )
    TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
    logger.warning("two-factor reset", extra={"user_id": user.pk, "by_user_id": by.pk, "devices": len(devices)})
    return len(devices)
