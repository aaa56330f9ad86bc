"""Domain terms to GeoReport v2 terms and back. The only place that knows both vocabularies."""

from datetime import UTC, datetime

from django.db.models import CharField, Func
from django.utils.dateparse import parse_datetime

from requests_app.statuses import OPEN_STATUSES, Status

# GeoReport v2 knows only open and closed.
WIRE_STATUS = {status: ("open" if status in OPEN_STATUSES else "closed") for status in Status}

# FixMyStreet's extended statuses (Role/mySociety.pm), lowercase on output. Not in GeoReport v2.
FMS_STATUS = {
    Status.SUBMITTED: "open",
    Status.ACKNOWLEDGED: "investigating",
    Status.IN_PROGRESS: "in_progress",
    Status.ON_HOLD: "action_scheduled",
    Status.RESOLVED: "fixed",
    Status.CLOSED: "closed",
    Status.DUPLICATE: "duplicate",
    Status.NOT_OURS: "not_councils_responsibility",
    Status.REOPENED: "reopen",
}

# What an inbound FixMyStreet update status asks for, most wanted first: the first one the pipeline allows
# from the request's current status is used. None means "leave the status, keep the note".
# Not in GeoReport v2.
FMS_INBOUND = {
    "OPEN": (None,),
    "FOR_TRIAGE": (None,),
    "INVESTIGATING": (Status.ACKNOWLEDGED, None),
    "INTERNAL_REFERRAL": (Status.ACKNOWLEDGED, None),
    "IN_PROGRESS": (Status.IN_PROGRESS, None),
    "ACTION_SCHEDULED": (Status.ON_HOLD, Status.IN_PROGRESS, None),
    "FIXED": (Status.RESOLVED, Status.CLOSED),
    "CLOSED": (Status.CLOSED, Status.RESOLVED),
    "NO_FURTHER_ACTION": (Status.CLOSED, Status.RESOLVED),
    "CANCELLED": (Status.CLOSED, Status.RESOLVED),
    "DUPLICATE": (Status.DUPLICATE,),
    "NOT_COUNCILS_RESPONSIBILITY": (Status.NOT_OURS,),
    "REOPEN": (Status.REOPENED, None),
}

# Open311 "type" is the service type's delivery; the domain uses the same three words.
SERVICE_TYPE = {"realtime": "realtime", "batch": "batch", "blackbox": "blackbox"}


def w3c(value: datetime | None) -> str | None:
    """A W3C datetime in UTC with whole seconds and an explicit zone, as FixMyStreet's parser wants."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class W3CText(Func):
    """``w3c()`` done by PostgreSQL, for pages of many rows."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    output_field = CharField()


def parse_w3c(value: str) -> datetime | None:
    """Parse an inbound W3C datetime; a '+' decoded to a space is put back. Returns None if unparseable.

    A value without a zone is read as UTC.
    """
    text = value.strip()
    if len(text) > 19 and text[19:20] == " ":
        text = text[:19] + "+" + text[20:]
    try:
        parsed = parse_datetime(text)
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def inbound_fms_target(wire_status: str, current: str, allowed: frozenset[str]) -> str | None:
    """The domain status a FixMyStreet update moves a request to (``current`` to keep it), or None if no
    status it stands for can follow ``current``."""
    choices = FMS_INBOUND.get(wire_status.upper())
    if choices is None:
        return None
    for choice in choices:
        if choice is None:
            return current
        if choice == current or choice in allowed:
            return choice
    return None


# Domain field names in validation errors, as a GeoReport client knows them.
WIRE_FIELD = {"service_type": "service_code", "location": "lat/long", "address": "address_string"}


def wire_field(domain_field: str) -> str:
    return WIRE_FIELD.get(domain_field, domain_field)
