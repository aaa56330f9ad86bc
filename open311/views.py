"""GeoReport v2 endpoints (and the FixMyStreet and Chicago extensions), in XML and JSON by path suffix."""

import re

from django.contrib.gis.geos import Point
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.services import ContactDetails, contact_not_kept_reason
from open311_format.mapping import FMS_INBOUND
from open311_format.records import request_payloads
from requests_app.models import ServiceRequest
from requests_app.photos import prepare_photo
from requests_app.services import Submission
from requests_app.statuses import Channel

from . import serializers as s
from .errors import bad_request, error_response, forbidden, not_found
from .models import Scope
from .renderers import Open311JSONRenderer, Open311XMLRenderer, streamed_list
from .selectors import (
    jurisdiction_for,
    request_exists,
    service_definition,
    service_list,
    service_type_for,
    token_payload,
    update_payloads,
    writer_for,
)
from .services import apply_client_update, count_write, file_request, replayable

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the shape of this API last changed (Service Discovery's changeset). Bump it with every change.
CHANGESET = "2026-11-29T00:00:00Z"
MAX_UPLOADS = 10
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
UPLOAD = re.compile(r"^(media|photo\d+|file_.+)$")

FORMAT = [
    OpenApiParameter(
        "fmt",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        enum=["json", "xml"],
        description="Response format: json (application/json) or xml (text/xml).",
    ),
    OpenApiParameter("format", exclude=True),
]
KEY_IN_QUERY = [
    OpenApiParameter(
        "api_key", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The API key, if not in the body."
    ),
    OpenApiParameter(
        "jurisdiction_id", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The jurisdiction, if not in the body."
    ),
]
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A retry with the same key returns the first result.",
)
ERRORS = {
    code: OpenApiResponse(s.ErrorOut(many=True), description=text)
    for code, text in (
        (400, "Invalid input (XML: <errors><error><code/><description/></error></errors>)."),
        (404, "Unknown service, request, token or jurisdiction."),
    )
}
WRITE_ERRORS = ERRORS | {
    403: OpenApiResponse(
        s.ErrorOut(many=True),
        description="Missing, invalid or revoked api_key, or one without the scope the call needs.",
    ),
    429: OpenApiResponse(s.ErrorOut(many=True), description="Too many writes with this api_key (Retry-After)."),
}


class Open311View(APIView):
    authentication_classes = []
    permission_classes = []
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    parser_classes = [FormParser, MultiPartParser]

    def get_format_suffix(self, **kwargs):
        # The suffix kwarg is not called "format": DRF's schema generator would hide every ".{format}" path.
        return kwargs.get("fmt")

    def handle_exception(self, exc):
        return error_response(exc)

    def params(self, request):
        return s.present_params(request.query_params, request.data if request.method == "POST" else {})

    @staticmethod
    def writer(params, scope: str):
        """The API key of a write, if it holds the scope, once it is counted against the key's rate.

        Raises Open311Error 403 for a key without the scope."""
        key = writer_for(params.get("jurisdiction_id"), params.get("api_key"))
        if not key.allows(scope):
            raise forbidden(
                _("This api_key may not %(action)s; ask the operator for the %(scope)s scope.")
                % {"action": Scope(scope).label, "scope": scope}
            )
        count_write(key)
        return key

    @staticmethod
    def answer(data, root: str, item: str | None = None, status: int = 200) -> Response:
        response = Response(data, status=status)
        response.xml_root, response.xml_item = root, item
        return response


class DiscoveryView(Open311View):
    @extend_schema(
        operation_id="open311_discovery",
        parameters=FORMAT,
        responses={200: s.DiscoveryOut, 404: ERRORS[404]},
        summary="Service Discovery",
        tags=["Open311"],
    )
    def get(self, request, fmt):
        base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
        return self.answer(
            {
                "changeset": CHANGESET,
                "contact": _("Ask the operator of this Civic311 server."),
                "key_service": _("API keys are issued by this server's operators (manage.py open311_key create)."),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": base,
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
            "discovery",
        )


class ServiceListView(Open311View):
    @extend_schema(
        operation_id="open311_services",
        parameters=[*FORMAT, s.JurisdictionParams],
        responses={200: s.ServiceOut(many=True)} | ERRORS,
        summary="Service list",
        tags=["Open311"],
    )
    def get(self, request, fmt):
        params = s.checked(s.JurisdictionParams, self.params(request))
        return self.answer(service_list(jurisdiction_for(params.get("jurisdiction_id"))), "services", "service")


class ServiceDefinitionView(Open311View):
    @extend_schema(
        operation_id="open311_service_definition",
        parameters=[*FORMAT, s.JurisdictionParams],
        responses={200: s.ServiceDefinitionOut} | ERRORS,
        summary="Service definition",
        tags=["Open311"],
    )
    def get(self, request, service_code, fmt):
        params = s.checked(s.JurisdictionParams, self.params(request))
        service_type = service_type_for(jurisdiction_for(params.get("jurisdiction_id")), service_code)
        return self.answer(service_definition(service_type), "service_definition")


class RequestsView(Open311View):
    @extend_schema(
        operation_id="open311_requests",
        parameters=[*FORMAT, s.RequestSearchIn],
        responses={200: s.RequestOut(many=True)} | ERRORS,
        summary="Get service requests",
        description="The last 90 days (or start_date/end_date, at most 90 days apart), at most 1,000 "
        "records. service_request_id overrides every other filter. Extensions: page, "
        "page_size, after (keyset paging; a full page's Link header, rel=next, gives the next), "
        "updated_after, updated_before, extensions=true.",
        tags=["Open311"],
    )
    def get(self, request, fmt):
        search = s.checked(s.RequestSearchIn, self.params(request))
        jurisdiction = jurisdiction_for(search.get("jurisdiction_id"))
        if search.get("after") and not request_exists(jurisdiction, search["after"]):
            raise bad_request(_("after: unknown service_request_id %(id)s.") % {"id": search["after"]})
        payload = request_payloads(jurisdiction, search, request.build_absolute_uri)
        response = self.answer(payload, "service_requests", "request")
        if payload and len(payload) == search["page_size"]:
            # Not in GeoReport v2: the next page by keyset (RFC 8288), so a client walking a long list never pays
            # for an offset; the body stays the list the spec describes.
            query = request.GET.copy()
            query.pop("page", None)
            query["after"] = payload[-1]["service_request_id"]
            response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
        return response

    @extend_schema(
        operation_id="open311_create_request",
        parameters=[*FORMAT, *KEY_IN_QUERY, IDEMPOTENCY],
        request=s.RequestIn,
        responses={200: s.CreatedOut(many=True)} | WRITE_ERRORS,
        summary="Create a service request",
        description="Urlencoded or multipart. Answers go in attribute[CODE] (attribute[CODE][] for "
        "several). An Idempotency-Key header makes retries return the first result. "
        "Contact fields are kept only with email_alerts_requested=true or "
        "contact_purposes, and never returned.",
        tags=["Open311"],
    )
    def post(self, request, fmt):
        params = self.params(request)
        key = self.writer(params, Scope.FILE)
        jurisdiction = key.jurisdiction
        data = s.checked(s.RequestIn, params)
        service_type = service_type_for(jurisdiction, data["service_code"])
        uploads = [(name, f) for name in request.FILES if UPLOAD.match(name) for f in request.FILES.getlist(name)]
        if len(uploads) > MAX_UPLOADS:
            raise bad_request(_("Send at most %(n)d photos.") % {"n": MAX_UPLOADS})
        contact = ContactDetails(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            device_id=data.get("device_id") or data.get("deviceid", ""),
            language=get_language() or "",
            purposes=data["purposes"],
            # The resident read the application's words, not the web form's.
            collected_by=key.application,
            wording=key.consent_wording,
        )
        submission = Submission(
            service_type=service_type,
            location=Point(data["long"], data["lat"], srid=4326) if "lat" in data else None,
            address=data.get("address_string", ""),
            address_id=data.get("address_id", ""),
            zipcode=data.get("zipcode", ""),
            description=data.get("description", ""),
            answers=_answers(params),
            channel=Channel.OPEN311,
            photos=[prepare_photo(f) for _name, f in uploads],
            photo_urls=data.get("media_url", []),
            contact=contact,
        )
        notice = contact_not_kept_reason(contact) or None
        if notice and not contact.purposes:
            # Say what an Open311 client can send to have them kept.
            notice = _(
                "Your contact details were not kept: send email_alerts_requested=true or contact_purposes "
                "to be contacted about this request."
            )

        def write():
            sr, token = file_request(submission)
            if token is not None:
                return [{"token": token.token, "service_notice": notice}]
            if service_type.delivery == service_type.Delivery.BLACKBOX:
                return [{"service_notice": notice}]
            return [{"service_request_id": sr.public_id, "service_notice": notice}]

        idempotency_key = request.headers.get("Idempotency-Key", "").strip()
        if idempotency_key:
            fields = {name: params.getlist(name) for name in params if name != "api_key"}
            fields["files"] = [(name, f.size) for name, f in uploads]
            payload = replayable(key, f"request:{idempotency_key[:150]}", fields, write)
        else:
            payload = write()
        return self.answer(payload, "service_requests", "request")


def _answers(params) -> dict:
    answers: dict = {}
    for name in params:
        match = ATTRIBUTE.match(name)
        if not match:
            continue
        values = params.getlist(name)
        code = match.group(1)
        if match.group(2) or len(values) > 1 or code in answers:
            previous = answers.get(code, [])
            answers[code] = (previous if isinstance(previous, list) else [previous]) + values
        else:
            answers[code] = values[0]
    return answers


class RequestDetailView(Open311View):
    @extend_schema(
        operation_id="open311_request",
        parameters=[*FORMAT, s.JurisdictionParams],
        responses={200: s.RequestOut(many=True)} | ERRORS,
        summary="Get one service request",
        tags=["Open311"],
    )
    def get(self, request, service_request_id, fmt):
        params = s.checked(s.JurisdictionParams, self.params(request))
        jurisdiction = jurisdiction_for(params.get("jurisdiction_id"))
        payload = request_payloads(
            jurisdiction, {"service_request_id": [service_request_id]}, request.build_absolute_uri
        )
        if not payload:
            raise not_found(_("Unknown service_request_id %(id)s.") % {"id": service_request_id})
        return self.answer(payload, "service_requests", "request")


class TokenView(Open311View):
    @extend_schema(
        operation_id="open311_token",
        parameters=[*FORMAT, s.JurisdictionParams],
        responses={200: s.TokenOut(many=True)} | ERRORS,
        summary="Service request id from a token",
        description="Without service_request_id while the request waits for routing.",
        tags=["Open311"],
    )
    def get(self, request, token, fmt):
        params = s.checked(s.JurisdictionParams, self.params(request))
        return self.answer(
            token_payload(jurisdiction_for(params.get("jurisdiction_id")), token), "service_requests", "request"
        )


class UpdatesView(Open311View):
    @extend_schema(
        operation_id="open311_updates",
        parameters=[*FORMAT, s.UpdateSearchIn],
        responses={200: s.UpdateOut(many=True)} | ERRORS,
        summary="Service request updates (FixMyStreet extension)",
        tags=["Open311"],
    )
    def get(self, request, fmt):
        search = s.checked(s.UpdateSearchIn, self.params(request))
        return streamed_list(
            update_payloads(jurisdiction_for(search.get("jurisdiction_id")), search),
            fmt,
            "service_request_updates",
            "request_update",
        )

    @extend_schema(
        operation_id="open311_create_update",
        parameters=[*FORMAT, *KEY_IN_QUERY],
        request=s.UpdateIn,
        responses={200: s.UpdateCreatedOut(many=True)} | WRITE_ERRORS,
        summary="Post a service request update (FixMyStreet extension)",
        description="A repeated update_id returns the first result. Contact fields are not kept.",
        tags=["Open311"],
    )
    def post(self, request, fmt):
        params = self.params(request)
        key = self.writer(params, Scope.UPDATE)
        jurisdiction = key.jurisdiction
        data = s.checked(s.UpdateIn, params)
        wire_status = data["status"].upper()
        if wire_status not in FMS_INBOUND:
            raise bad_request(_("status: use one of %(choices)s.") % {"choices": ", ".join(FMS_INBOUND)})
        sr = ServiceRequest.objects.filter(jurisdiction=jurisdiction, public_id=data["service_request_id"]).first()
        if sr is None:
            raise not_found(_("Unknown service_request_id %(id)s.") % {"id": data["service_request_id"]})

        def write():
            return [{"update_id": str(apply_client_update(sr, wire_status=wire_status, note=data["description"]))}]

        payload = replayable(
            key,
            f"update:{data['update_id']}",
            {"service_request_id": sr.public_id, "update_id": data["update_id"]},
            write,
        )
        return self.answer(payload, "service_request_updates", "request_update")


@extend_schema(exclude=True)
class UnknownPathView(Open311View):
    """Anything else under /open311/v2/ (an unknown path or format): an Open311 404, never an HTML page."""

    def dispatch(self, request, *args, **kwargs):
        # The suffix, if any, picks the format of the error; anything but .xml gets JSON.
        kwargs["fmt"] = "xml" if request.path.endswith(".xml") else "json"
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise not_found(_("No such Open311 endpoint."))
