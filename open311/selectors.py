"""Reads for the Open311 endpoints, each returning the wire payload as plain dicts and lists.

The requests themselves are read by ``open311_format.records``, shared with the integrations; every public
output there goes through ``public_point`` and reads the stored public text.
"""

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.config_cache import cached
from open311_format.mapping import FMS_STATUS, SERVICE_TYPE, W3CText
from open311_format.records import MAX_WINDOW_DAYS
from requests_app.models import Jurisdiction, Question, ServiceRequest, ServiceType, StatusChange
from requests_app.selectors import filing_service_type, jurisdiction_by_slug
from requests_app.statuses import RoutingState

from .errors import bad_request, forbidden, not_found
from .models import ApiKey, BatchToken, key_digest


def jurisdiction_for(jurisdiction_id: str | None) -> Jurisdiction:
    """The jurisdiction a call is about: optional while the server has one or names a default
    (CIVIC311_DEFAULT_JURISDICTION), required otherwise.

    Raises Open311Error 404 (unknown) or 400 (missing while several exist and none is the default).
    """
    # GeoReport v2 lets a server take a default jurisdiction; many validators and apps never send one.
    jurisdiction_id = jurisdiction_id or settings.CIVIC311_DEFAULT_JURISDICTION
    if jurisdiction_id:
        found = jurisdiction_by_slug(jurisdiction_id)
        if found is None:
            raise not_found(_("Unknown jurisdiction_id %(id)s.") % {"id": jurisdiction_id})
        return found
    only = list(Jurisdiction.objects.order_by("pk")[:2])
    if len(only) == 1:
        return only[0]
    if not only:
        raise not_found(_("This server has no jurisdiction yet."))
    raise bad_request(_("jurisdiction_id required: this server serves several jurisdictions."))


def request_exists(jurisdiction: Jurisdiction, public_id: str) -> bool:
    return ServiceRequest.objects.filter(jurisdiction=jurisdiction, public_id=public_id).exists()


def writer_for(jurisdiction_id: str | None, raw_key: str | None) -> ApiKey:
    """The active key of a write call, if it belongs to the call's jurisdiction, with that jurisdiction loaded:
    kept per process (config_cache), like the jurisdiction.

    Raises Open311Error like ``jurisdiction_for``, and 403 for a missing or invalid key.
    """
    jurisdiction = jurisdiction_for(jurisdiction_id)
    if not raw_key:
        raise forbidden(_("api_key required."))
    digest = key_digest(raw_key)
    key = cached(
        ("open311_writer", digest, jurisdiction.pk),
        lambda: (
            ApiKey.objects.active()
            .select_related("jurisdiction")
            .filter(digest=digest, jurisdiction=jurisdiction)
            .first()
        ),
    )
    if key is None:
        raise forbidden(_("Invalid api_key."))
    return key


def service_type_for(jurisdiction: Jurisdiction, service_code: str) -> ServiceType:
    """Raises Open311Error 404 for a code this jurisdiction doesn't have."""
    found = filing_service_type(jurisdiction_id=jurisdiction.pk, code=service_code)
    if found is None:
        raise not_found(_("Unknown service_code %(code)s.") % {"code": service_code})
    return found


def service_list(jurisdiction: Jurisdiction) -> list[dict]:
    with_questions = set(
        Question.objects.filter(service_type__jurisdiction=jurisdiction)
        .values_list("service_type_id", flat=True)
        .distinct()
    )
    return [
        {
            "service_code": st.code,
            "service_name": st.localized_name(),
            "description": st.localized_description() or None,
            "metadata": st.pk in with_questions,
            "type": SERVICE_TYPE[st.delivery],
            "keywords": ",".join(st.keywords) or None,
            "group": st.localized_group() or None,
            # Not in GeoReport v2: FixMyStreet reads several groups from <groups><group/></groups>.
            "groups": [st.localized_group()] if st.group else [],
        }
        for st in ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).order_by("group", "name")
    ]


def service_definition(service_type: ServiceType) -> dict:
    attributes = []
    for question in service_type.questions.order_by("order"):
        attribute = {
            "variable": question.variable,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.datatype_description or None,
            "order": question.order,
            "description": question.localized_description(),
        }
        if question.datatype in Question.LIST_TYPES:
            attribute["values"] = [{"key": str(v["key"]), "name": _value_name(v)} for v in question.values]
        attributes.append(attribute)
    return {"service_code": service_type.code, "attributes": attributes}


def _value_name(value: dict) -> str:
    return (value.get("name_translations") or {}).get(get_language() or "", "") or str(value.get("name", ""))


def token_payload(jurisdiction: Jurisdiction, token: str) -> list[dict]:
    """Raises Open311Error 404 for an unknown token."""
    found = (
        BatchToken.objects.filter(token=token, service_request__jurisdiction=jurisdiction)
        .values_list("service_request__public_id", "service_request__routing_state")
        .first()
    )
    if found is None:
        raise not_found(_("Unknown token %(token)s.") % {"token": token})
    public_id, routing_state = found
    if routing_state == RoutingState.PENDING:
        return [{"token": token}]
    return [{"service_request_id": public_id, "token": token}]


# Status changes read per query of an update feed: each read is one short index range scan, whatever the window.
UPDATE_CHUNK = 2000


def update_payloads(jurisdiction: Jurisdiction, search: dict) -> Iterator[dict]:
    """FixMyStreet's GET servicerequestupdates: every status change in the window, oldest first.

    Read in keyset chunks on (at, id), so a busy window is answered whole (FixMyStreet reads one answer per
    window and would miss whatever a cut-off left out) without holding it in memory or in one long query.
    """
    end = search.get("end_date") or timezone.now()
    start = search.get("start_date") or end - timedelta(days=MAX_WINDOW_DAYS)
    window = (
        StatusChange.objects.filter(service_request__jurisdiction=jurisdiction, at__lte=end)
        .filter(~Q(old_status=""))
        .order_by("at", "id")
        .annotate(when=W3CText("at"))
        .values_list("id", "service_request__public_id", "new_status", "when", "public_note", "at")
    )
    rows = list(window.filter(at__gte=start)[:UPDATE_CHUNK])
    while rows:
        for pk, public_id, new_status, when, note, _at in rows:
            yield {
                "update_id": str(pk),
                "service_request_id": public_id,
                "status": FMS_STATUS[new_status],
                "updated_datetime": when,
                "description": note,
                "media_url": None,
            }
        if len(rows) < UPDATE_CHUNK:
            return
        last_pk, *_, last_at = rows[-1]
        rows = list(window.filter(at__gte=last_at).exclude(at=last_at, id__lte=last_pk)[:UPDATE_CHUNK])
